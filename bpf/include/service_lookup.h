/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Service lookup shared by the load balancers: find a frontend, choose one of its
 * backends (ClientIP affinity first, else at random), and the 16-byte address
 * helpers the keys need. No packet or socket access here.
 */
#ifndef HEDGEROW_SERVICE_LOOKUP_H
#define HEDGEROW_SERVICE_LOOKUP_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "hedgerow_abi.h"
#include "service_maps.h"

#define NSEC_PER_SEC 1000000000ULL

enum service_verdict {
	SERVICE_NONE = 0,       /* not a frontend: leave the address alone */
	SERVICE_TRANSLATED = 1, /* the backend was chosen */
	SERVICE_REJECT = 2,     /* a frontend without (reachable) backends */
};

/* An IPv4 address (network byte order) as its IPv4-mapped IPv6 form. */
static __always_inline void addr_from_v4(__u8 addr[16], __be32 ip4)
{
	__u32 *words = (__u32 *)addr;

	words[0] = 0;
	words[1] = 0;
	words[2] = bpf_htonl(0x0000ffff);
	words[3] = ip4;
}

static __always_inline int addr_is_v4_mapped(const __u8 addr[16])
{
	const __u32 *words = (const __u32 *)addr;

	return words[0] == 0 && words[1] == 0 && words[2] == bpf_htonl(0x0000ffff);
}

static __always_inline __be32 addr_v4(const __u8 addr[16])
{
	return ((const __u32 *)addr)[3];
}

static __always_inline int addr_equal(const __u8 a[16], const __u8 b[16])
{
	const __u32 *x = (const __u32 *)a, *y = (const __u32 *)b;

	return x[0] == y[0] && x[1] == y[1] && x[2] == y[2] && x[3] == y[3];
}

/* The frontend (slot 0) for the key's address, port and protocol; sets slot to 0. */
static __always_inline const struct hedgerow_service_value *service_frontend(struct hedgerow_service_key *key)
{
	key->slot = 0;
	return bpf_map_lookup_elem(&hedgerow_services, key);
}

/* The pinned backend of an affinity client, when the pin is fresh and the backend
 * is still one of the service's; refreshes the pin's time. */
static __always_inline const struct hedgerow_backend *
affinity_backend(const struct hedgerow_affinity_key *client, __u32 timeout_s, __u64 now, __u32 *backend_id)
{
	struct hedgerow_affinity_value *pin = bpf_map_lookup_elem(&hedgerow_affinity, client);
	struct hedgerow_affinity_match_key match = {};
	const struct hedgerow_backend *backend;

	if (!pin)
		return 0;
	/* Fresh while the client came back less than the timeout ago (as kube-proxy's
	 * `recent` match counts it); a time before the pin counts as no time. */
	if (now > pin->last_used_ns && now - pin->last_used_ns >= (__u64)timeout_s * NSEC_PER_SEC)
		return 0;
	match.backend_id = pin->backend_id;
	match.service_id = client->service_id;
	if (!bpf_map_lookup_elem(&hedgerow_affinity_match, &match))
		return 0;
	backend = bpf_map_lookup_elem(&hedgerow_backends, &match.backend_id);
	if (!backend)
		return 0;
	pin->last_used_ns = now;
	*backend_id = match.backend_id;
	return backend;
}

/*
 * Chooses a backend of `frontend` (found with `key`, whose slot this changes) for
 * a client named by `client` (its service_id is filled in here). Copies it into
 * `chosen`.
 */
static __always_inline enum service_verdict
service_choose(struct hedgerow_service_key *key, const struct hedgerow_service_value *frontend,
	       struct hedgerow_affinity_key *client, struct hedgerow_backend *chosen)
{
	const struct hedgerow_service_value *slot;
	const struct hedgerow_backend *backend;
	__u32 flags = frontend->flags;
	__u16 count = frontend->backend_count;
	__u32 timeout_s = frontend->affinity_timeout_s;
	__u32 backend_id = 0;
	__u64 now = 0;

	if (count == 0 || (flags & HEDGEROW_SVC_F_NO_BACKENDS))
		return SERVICE_REJECT;
	client->service_id = frontend->service_id;

	if (flags & HEDGEROW_SVC_F_AFFINITY) {
		now = bpf_ktime_get_ns();
		backend = affinity_backend(client, timeout_s, now, &backend_id);
		if (backend) {
			*chosen = *backend;
			return SERVICE_TRANSLATED;
		}
	}

	key->slot = (__u16)(bpf_get_prandom_u32() % count) + 1;
	slot = bpf_map_lookup_elem(&hedgerow_services, key);
	if (!slot)
		return SERVICE_REJECT; /* never with the agent's write order: see hedgerow_abi.h */
	backend_id = slot->backend_id;
	backend = bpf_map_lookup_elem(&hedgerow_backends, &backend_id);
	if (!backend)
		return SERVICE_REJECT;
	*chosen = *backend;

	if (flags & HEDGEROW_SVC_F_AFFINITY) {
		struct hedgerow_affinity_value pin = { .last_used_ns = now, .backend_id = backend_id };

		bpf_map_update_elem(&hedgerow_affinity, client, &pin, BPF_ANY);
	}
	return SERVICE_TRANSLATED;
}

/* Whether the frontend in a socket's reverse entry is still the one its service id
 * names (a deleted or re-addressed service is no longer translated back). */
static __always_inline int rev_nat_current(const struct hedgerow_sock_rev_nat_value *entry, __u8 protocol)
{
	__u32 id = entry->service_id;
	const struct hedgerow_rev_nat *frontend = bpf_map_lookup_elem(&hedgerow_rev_nat, &id);

	return frontend && frontend->port == entry->port && frontend->protocol == protocol &&
	       addr_equal(frontend->addr, entry->addr);
}

#endif /* HEDGEROW_SERVICE_LOOKUP_H */
