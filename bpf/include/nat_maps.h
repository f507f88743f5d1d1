/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The maps of per-packet service NAT (layouts in hedgerow_abi.h, "Services"):
 * the NAT table the uplink and the endpoint fallback share, the node's
 * addresses and the uplink's settings. Pinned by name, like the service maps,
 * so every object using them shares one copy and a restarted agent adopts them
 * with the connections they carry.
 */
#ifndef HEDGEROW_NAT_MAPS_H
#define HEDGEROW_NAT_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "hedgerow_abi.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, HEDGEROW_MAX_NAT4);
	__type(key, struct hedgerow_nat4_key);
	__type(value, struct hedgerow_nat4_entry);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} hedgerow_nat4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HEDGEROW_MAX_NODE_ADDRS);
	__type(key, struct hedgerow_node_addr_key);
	__type(value, __u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} hedgerow_node_addrs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hedgerow_uplink_config);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} hedgerow_uplink_config SEC(".maps");

#endif /* HEDGEROW_NAT_MAPS_H */
