// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Programs on an endpoint's (pod's) host-side veth.
 *
 *   from_endpoint: tc ingress of the host-side veth = packets leaving the pod
 *   to_endpoint:   tc egress of the host-side veth  = packets entering the pod
 *
 * For now both only account traffic per endpoint and direction and let every
 * packet pass; policy and flow events build on the same lookups later.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "hedgerow_abi.h"

/* Written by the agent: which veth belongs to which endpoint. Pinned by name so a
 * restarted agent adopts the same map (and the running programs keep using it). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HEDGEROW_MAX_ENDPOINTS);
	__type(key, struct hedgerow_endpoint_key);
	__type(value, struct hedgerow_endpoint_info);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} hedgerow_endpoints SEC(".maps");

/* Per-CPU so that the hot path needs no atomics; the agent sums the CPUs. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HEDGEROW_TRAFFIC_SLOTS);
	__type(key, __u32);
	__type(value, struct hedgerow_traffic);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} hedgerow_traffic SEC(".maps");

static __always_inline void account_traffic(struct __sk_buff *skb, __u32 direction)
{
	struct hedgerow_endpoint_key key = { .ifindex = skb->ifindex };
	struct hedgerow_endpoint_info *endpoint;
	struct hedgerow_traffic *traffic;
	__u32 slot;

	endpoint = bpf_map_lookup_elem(&hedgerow_endpoints, &key);
	if (!endpoint)
		return;
	/* Endpoint id 0 is never assigned; ids past the table would alias other slots. */
	if (endpoint->endpoint_id == 0 || endpoint->endpoint_id >= HEDGEROW_MAX_ENDPOINTS)
		return;

	slot = endpoint->endpoint_id * HEDGEROW_DIR_COUNT + direction;
	traffic = bpf_map_lookup_elem(&hedgerow_traffic, &slot);
	if (!traffic)
		return;
	traffic->packets += 1;
	traffic->bytes += skb->len;
}

SEC("tc")
int from_endpoint(struct __sk_buff *skb)
{
	account_traffic(skb, HEDGEROW_DIR_EGRESS);
	return TC_ACT_OK;
}

SEC("tc")
int to_endpoint(struct __sk_buff *skb)
{
	account_traffic(skb, HEDGEROW_DIR_INGRESS);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
