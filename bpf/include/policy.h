/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Identity and policy lookups for new connections: the ipcache (address ->
 * security identity) and the policy map (endpoint, identity, direction,
 * protocol, port -> allow or deny).
 */
#ifndef HEDGEROW_POLICY_H
#define HEDGEROW_POLICY_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "hedgerow_abi.h"
#include "parse.h"

#define HEDGEROW_IPCACHE_MAX_ENTRIES 262144
#define HEDGEROW_POLICY_MAX_ENTRIES 524288

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, HEDGEROW_IPCACHE_MAX_ENTRIES);
	__type(key, struct hedgerow_ipcache_key);
	__type(value, struct hedgerow_ipcache_value);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} hedgerow_ipcache SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, HEDGEROW_POLICY_MAX_ENTRIES);
	__type(key, struct hedgerow_policy_key);
	__type(value, struct hedgerow_policy_value);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} hedgerow_policy SEC(".maps");

/* The identity of `addr`: the longest ipcache prefix holding it, else world. */
static __always_inline __u32 ipcache_identity(const union hedgerow_addr *addr)
{
	struct hedgerow_ipcache_key key = { .prefixlen = 128 };
	struct hedgerow_ipcache_value *value;

	__builtin_memcpy(key.addr, addr->bytes, sizeof(key.addr));
	value = bpf_map_lookup_elem(&hedgerow_ipcache, &key);
	return value ? value->identity : HEDGEROW_IDENTITY_WORLD;
}

struct policy_decision {
	__u32 cookie;
	__u16 drop_reason; /* 0: allowed */
	__u8 match_type;   /* enum hedgerow_policy_match */
	__u8 _pad;
};

static __always_inline __u8 policy_match_type(int specific_identity, __u8 match_bits)
{
	if (match_bits == 0)
		return specific_identity ? HEDGEROW_POLICY_MATCH_L3_ONLY : HEDGEROW_POLICY_MATCH_ALL;
	if (match_bits == 8)
		return specific_identity ? HEDGEROW_POLICY_MATCH_L3_PROTO : HEDGEROW_POLICY_MATCH_PROTO_ONLY;
	return specific_identity ? HEDGEROW_POLICY_MATCH_L3_L4 : HEDGEROW_POLICY_MATCH_L4_ONLY;
}

/*
 * The verdict of one view of an endpoint's policy for a new connection with the
 * remote `identity` in `direction`. Two lookups: with the identity and with
 * "any". A deny from either wins; else the more specific allow (the identity's
 * on a tie); else the view's default: deny when `enforced`, allow otherwise.
 * `key_direction` is the key's direction byte: direction, generation and view.
 */
static __always_inline void policy_lookup(__u32 endpoint_id, __u8 key_direction, int enforced, __u32 identity,
					  __u8 protocol, __be16 port, struct policy_decision *out)
{
	struct hedgerow_policy_key key = {
		.prefixlen = HEDGEROW_POLICY_PREFIX_FULL,
		.endpoint_id = endpoint_id,
		.identity = identity,
		.direction = key_direction,
		.protocol = protocol,
		.port = port,
	};
	struct hedgerow_policy_value *found;
	__u8 specific_action = 0, specific_bits = 0, any_action = 0, any_bits = 0;
	__u32 specific_cookie = 0, any_cookie = 0;

	/* Copy what a lookup found at once: the agent may replace the entry meanwhile. */
	found = bpf_map_lookup_elem(&hedgerow_policy, &key);
	if (found) {
		specific_action = found->action;
		specific_bits = found->match_bits;
		specific_cookie = found->cookie;
	}
	key.identity = HEDGEROW_IDENTITY_ANY;
	found = bpf_map_lookup_elem(&hedgerow_policy, &key);
	if (found) {
		any_action = found->action;
		any_bits = found->match_bits;
		any_cookie = found->cookie;
	}

	if (specific_action == HEDGEROW_POLICY_DENY || any_action == HEDGEROW_POLICY_DENY) {
		int specific = specific_action == HEDGEROW_POLICY_DENY;

		out->drop_reason = HEDGEROW_DROP_POLICY_DENY;
		out->cookie = specific ? specific_cookie : any_cookie;
		out->match_type = policy_match_type(specific, specific ? specific_bits : any_bits);
		return;
	}
	if (specific_action == HEDGEROW_POLICY_ALLOW && (any_action != HEDGEROW_POLICY_ALLOW || specific_bits >= any_bits)) {
		out->cookie = specific_cookie;
		out->match_type = policy_match_type(1, specific_bits);
		return;
	}
	if (any_action == HEDGEROW_POLICY_ALLOW) {
		out->cookie = any_cookie;
		out->match_type = policy_match_type(0, any_bits);
		return;
	}
	if (enforced)
		out->drop_reason = HEDGEROW_DROP_POLICY_DENIED;
}

static __always_inline void policy_decision_clear(struct policy_decision *out)
{
	out->cookie = 0;
	out->drop_reason = 0;
	out->match_type = HEDGEROW_POLICY_MATCH_NONE;
	out->_pad = 0;
}

static __always_inline __u8 policy_key_direction(__u32 endpoint_flags, __u8 direction, __u8 view)
{
	__u8 generation = (endpoint_flags & HEDGEROW_EP_F_POLICY_GENERATION) ? 1 : 0;

	return direction | generation << HEDGEROW_POLICY_GENERATION_SHIFT | view << HEDGEROW_POLICY_VIEW_SHIFT;
}

/*
 * The enforced verdict for a new connection of endpoint `endpoint_id`.
 * `endpoint_flags` is the word read once from the endpoint entry for this
 * packet: it names the policy generation to look up and the enforcement that
 * belongs to it. A direction that neither enforces nor has entries skips the lookups.
 */
static __always_inline void policy_decide(__u32 endpoint_id, __u32 endpoint_flags, __u8 direction, __u32 identity,
					  __u8 protocol, __be16 port, struct policy_decision *out)
{
	int enforced = endpoint_flags & (HEDGEROW_EP_F_ENFORCE_BASE << direction);

	policy_decision_clear(out);
	if (!enforced && !(endpoint_flags & (HEDGEROW_EP_F_RULES_BASE << direction)))
		return;
	policy_lookup(endpoint_id, policy_key_direction(endpoint_flags, direction, 0), enforced, identity, protocol, port,
		      out);
}

/*
 * Audit mode: what the audit view (every policy, audit-mode ones as if enforced)
 * says of a connection the enforced policy allowed. Only endpoints that an
 * audit-mode policy selects in `direction` pay for these lookups. A drop_reason
 * in `out` means "would have been dropped, by out->cookie".
 */
static __always_inline void policy_audit(__u32 endpoint_id, __u32 endpoint_flags, __u8 direction, __u32 identity,
					 __u8 protocol, __be16 port, struct policy_decision *out)
{
	policy_decision_clear(out);
	if (!(endpoint_flags & (HEDGEROW_EP_F_AUDIT_BASE << direction)))
		return;
	policy_lookup(endpoint_id, policy_key_direction(endpoint_flags, direction, 1),
		      endpoint_flags & (HEDGEROW_EP_F_AUDIT_ENFORCE_BASE << direction), identity, protocol, port, out);
}

#endif /* HEDGEROW_POLICY_H */
