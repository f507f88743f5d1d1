/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The service maps (layouts in hedgerow_abi.h, "Services"). Declared once here so
 * that every object using them (sock.bpf.c now, the uplink program later) pins
 * them by name under the same directory and so shares one copy.
 *
 * Maps only the agent writes are not preallocated: their memory follows the
 * number of services, not the maximum. The LRU maps the programs write must be.
 */
#ifndef HEDGEROW_SERVICE_MAPS_H
#define HEDGEROW_SERVICE_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "hedgerow_abi.h"

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HEDGEROW_MAX_SERVICE_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct hedgerow_service_key);
	__type(value, struct hedgerow_service_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} hedgerow_services SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HEDGEROW_MAX_BACKENDS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct hedgerow_backend);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} hedgerow_backends SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HEDGEROW_MAX_SERVICE_IDS);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, __u32);
	__type(value, struct hedgerow_rev_nat);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} hedgerow_rev_nat SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, HEDGEROW_MAX_AFFINITY);
	__type(key, struct hedgerow_affinity_key);
	__type(value, struct hedgerow_affinity_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} hedgerow_affinity SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, HEDGEROW_MAX_SERVICE_ENTRIES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct hedgerow_affinity_match_key);
	__type(value, __u32); /* unused, 0 */
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} hedgerow_affinity_match SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, HEDGEROW_MAX_SOCK_REV_NAT);
	__type(key, struct hedgerow_sock_rev_nat_key);
	__type(value, struct hedgerow_sock_rev_nat_value);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} hedgerow_sock_rev_nat SEC(".maps");

/* BPF_F_INNER_MAP: tables of another (prime) size than the template fit too. */
struct hedgerow_maglev_table {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HEDGEROW_MAGLEV_DEFAULT_SIZE);
	__uint(map_flags, BPF_F_INNER_MAP);
	__type(key, __u32);
	__type(value, __u32); /* backend id */
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, HEDGEROW_MAX_SERVICE_IDS);
	__type(key, __u32); /* service id */
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct hedgerow_maglev_table); /* must come last */
} hedgerow_maglev SEC(".maps");

#endif /* HEDGEROW_SERVICE_MAPS_H */
