// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Counts packets and bytes per device and tc direction, for the HedgerowBPF tests.
 *
 * It exercises what a real datapath object does (a config map the user space side
 * writes, per-CPU counters the programs bump, maps pinned by name so a reload adopts
 * them) without sharing any struct with Swift: every key and value is a plain
 * integer, and each direction has its own maps, so no index arithmetic is shared
 * either.
 *
 *   count_ingress: attach at tc ingress; counts into ingress_packets/ingress_bytes
 *   count_egress:  attach at tc egress;  counts into egress_packets/egress_bytes
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#define COUNTER_MAX_DEVICES 64
#define COUNTER_SLOTS 64

/* Written by the test: ifindex -> counter slot. Devices not listed are not counted. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, COUNTER_MAX_DEVICES);
	__type(key, __u32);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} counter_slots SEC(".maps");

#define COUNTER_ARRAY(map_name)                                 \
	struct {                                                \
		__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);        \
		__uint(max_entries, COUNTER_SLOTS);             \
		__type(key, __u32);                             \
		__type(value, __u64);                           \
		__uint(pinning, LIBBPF_PIN_BY_NAME);            \
	} map_name SEC(".maps")

COUNTER_ARRAY(ingress_packets);
COUNTER_ARRAY(ingress_bytes);
COUNTER_ARRAY(egress_packets);
COUNTER_ARRAY(egress_bytes);

static __always_inline void count(struct __sk_buff *skb, void *packets_map, void *bytes_map)
{
	__u32 ifindex = skb->ifindex;
	__u64 *packets, *bytes;
	__u32 *slot;

	slot = bpf_map_lookup_elem(&counter_slots, &ifindex);
	if (!slot)
		return;
	/* Out-of-range slots find no array element and are ignored. */
	packets = bpf_map_lookup_elem(packets_map, slot);
	bytes = bpf_map_lookup_elem(bytes_map, slot);
	if (!packets || !bytes)
		return;
	*packets += 1;
	*bytes += skb->len;
}

SEC("tc")
int count_ingress(struct __sk_buff *skb)
{
	count(skb, &ingress_packets, &ingress_bytes);
	return TC_ACT_OK;
}

SEC("tc")
int count_egress(struct __sk_buff *skb)
{
	count(skb, &egress_packets, &egress_bytes);
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
