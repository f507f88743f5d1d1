// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Node-level service load balancing on the node's uplink (e.g. eth0): NodePort,
 * external IP and LoadBalancer IP frontends for traffic from outside the node.
 *
 *   uplink_ingress: tc ingress, packets arriving from the network
 *   uplink_egress:  tc egress, packets leaving for the network
 *
 * A new connection to an external frontend - its own address (external or
 * LoadBalancer IP), or any node address (hedgerow_node_addrs) with a NodePort
 * frontend - gets a backend from the service's Maglev table, at the entry the
 * flow hash names (bpf/include/maglev_hash.h, the same on every node, so every
 * node picks the same backend for a flow whatever node the network delivers it
 * to), or from the client's ClientIP affinity pin. M comes from
 * hedgerow_uplink_config, which the agent writes from the MaglevConfiguration
 * it builds the tables with.
 *
 * Two hedgerow_nat4 entries carry the connection (layouts and the picture in
 * hedgerow_abi.h):
 *   - backend on this node: DNAT only, the stack routes the packet to the pod
 *     (the client's address is kept, as externalTrafficPolicy Local promises);
 *     the backend's replies are rewritten back to the frontend at egress.
 *   - backend on another node: DNAT and SNAT to a node address and a port of
 *     the SNAT range, so its replies come back through this node; both
 *     directions leave again through bpf_redirect_neigh after a FIB lookup (the
 *     stack would refuse a packet arriving with a local source address).
 * externalTrafficPolicy Local: the tables hold this node's backends only (the
 * model selects them), and a non-local backend is refused here as well; no
 * local backend means a drop counted as SERVICE_BACKEND_NOT_FOUND.
 *
 * IPv4 TCP and UDP. IPv6 frontends, SCTP (its CRC checksum cannot be patched
 * incrementally), fragments and ICMP errors about translated connections pass
 * untranslated. Drops are counted in hedgerow_drops and reported as flow events,
 * as are new translated connections (observation point from-network).
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "hedgerow_abi.h"
#include "config.h"
#include "events.h"
#include "parse.h"
#include "service_maps.h"
#include "service_lookup.h"
#include "nat_maps.h"
#include "nat4.h"
#include "maglev_hash.h"

#define AF_INET 2

static const struct hedgerow_uplink_config hedgerow_uplink_config_unset = {};

static __always_inline const struct hedgerow_uplink_config *uplink_config(void)
{
	__u32 zero = 0;
	const struct hedgerow_uplink_config *config = bpf_map_lookup_elem(&hedgerow_uplink_config, &zero);

	return config ? config : &hedgerow_uplink_config_unset;
}

static __noinline int parse(struct __sk_buff *skb, struct hedgerow_packet *pkt)
{
	return parse_packet(skb, pkt);
}

/* Parses, pulling headers that lie beyond the linear data first. */
static __always_inline int parse_pulled(struct __sk_buff *skb, struct hedgerow_packet *pkt)
{
	int status = parse(skb, pkt);

	if (status == PARSE_TRUNCATED && skb->len > skb->data_end - skb->data) {
		__u32 want = skb->len < HEDGEROW_HEADER_BYTES ? skb->len : HEDGEROW_HEADER_BYTES;

		if (bpf_skb_pull_data(skb, want) == 0) {
			__builtin_memset(pkt, 0, sizeof(*pkt));
			status = parse(skb, pkt);
		}
	}
	return status;
}

static __always_inline int drop(const struct event_source *source, const struct hedgerow_packet *pkt, __u16 reason)
{
	struct event_outcome outcome = {
		.remote_identity = HEDGEROW_IDENTITY_WORLD,
		.verdict = HEDGEROW_VERDICT_DROPPED,
		.drop_reason = reason,
		.report_reason = HEDGEROW_REPORT_DROP,
		.trace_reason = HEDGEROW_TRACE_NEW,
	};

	count_drop(source, reason);
	emit_flow(source, pkt, &outcome);
	return TC_ACT_SHOT;
}

static __always_inline void report_new(const struct event_source *source, const struct hedgerow_packet *pkt)
{
	struct event_outcome outcome = {
		.remote_identity = HEDGEROW_IDENTITY_WORLD,
		.verdict = HEDGEROW_VERDICT_FORWARDED,
		.report_reason = HEDGEROW_REPORT_NEW,
		.trace_reason = HEDGEROW_TRACE_NEW,
	};

	emit_flow(source, pkt, &outcome);
}

static __always_inline int is_node_address(const union hedgerow_addr *addr)
{
	return bpf_map_lookup_elem(&hedgerow_node_addrs, addr->bytes) != 0;
}

/* The external frontend a packet from outside names (key left at slot 0), or null. */
static __always_inline const struct hedgerow_service_value *external_frontend(struct hedgerow_service_key *key,
									       const struct hedgerow_packet *pkt)
{
	const struct hedgerow_service_value *frontend;

	__builtin_memcpy(key->addr, pkt->daddr.bytes, sizeof(key->addr));
	key->port = pkt->dport;
	key->protocol = pkt->protocol;
	frontend = service_frontend(key);
	if (frontend)
		return (frontend->flags & HEDGEROW_SVC_F_EXTERNAL) ? frontend : 0;
	if (!is_node_address(&pkt->daddr))
		return 0;
	addr_from_v4(key->addr, 0);
	frontend = service_frontend(key);
	return frontend && (frontend->flags & HEDGEROW_SVC_F_NODE_PORT) ? frontend : 0;
}

/* The backend id at the flow's entry of the service's Maglev table (0: none). */
static __always_inline __u32 maglev_backend(__u16 service_id, __u32 hash)
{
	__u32 outer_key = service_id, size = uplink_config()->maglev_table_size, index;
	const __u32 *backend_id;
	void *table;

	if (!size)
		size = HEDGEROW_MAGLEV_DEFAULT_SIZE;
	table = bpf_map_lookup_elem(&hedgerow_maglev, &outer_key);
	if (!table)
		return 0;
	index = hash % size;
	backend_id = bpf_map_lookup_elem(table, &index);
	return backend_id ? *backend_id : 0;
}

/* Chooses the backend of an external frontend for a new flow; 0 or a drop reason. */
static __always_inline __u16 choose_backend(const struct hedgerow_service_value *frontend,
					    const struct hedgerow_packet *pkt, __u32 hash,
					    struct hedgerow_backend *chosen, __u32 *chosen_id)
{
	struct hedgerow_affinity_key client = {};
	const struct hedgerow_backend *backend = 0;
	__u32 flags = frontend->flags, backend_id = 0, timeout_s = frontend->affinity_timeout_s;
	__u64 now = 0;

	if (frontend->backend_count == 0 || (flags & HEDGEROW_SVC_F_NO_BACKENDS))
		return HEDGEROW_DROP_SERVICE_BACKEND_NOT_FOUND;
	if (flags & HEDGEROW_SVC_F_AFFINITY) {
		__builtin_memcpy(client.client, pkt->saddr.bytes, sizeof(client.client));
		client.service_id = frontend->service_id;
		client.client_kind = HEDGEROW_AFFINITY_CLIENT_ADDR;
		now = bpf_ktime_get_ns();
		backend = affinity_backend(&client, timeout_s, now, &backend_id);
	}
	if (!backend) {
		backend_id = maglev_backend(frontend->service_id, hash);
		if (!backend_id)
			return HEDGEROW_DROP_SERVICE_BACKEND_NOT_FOUND;
		backend = bpf_map_lookup_elem(&hedgerow_backends, &backend_id);
		if (!backend)
			return HEDGEROW_DROP_SERVICE_BACKEND_NOT_FOUND;
		if (flags & HEDGEROW_SVC_F_AFFINITY) {
			struct hedgerow_affinity_value pin = { .last_used_ns = now, .backend_id = backend_id };

			bpf_map_update_elem(&hedgerow_affinity, &client, &pin, BPF_ANY);
		}
	}
	if ((flags & HEDGEROW_SVC_F_LOCAL) && !(backend->flags & HEDGEROW_BACKEND_F_LOCAL))
		return HEDGEROW_DROP_SERVICE_BACKEND_NOT_FOUND;
	if (!addr_is_v4_mapped(backend->addr))
		return HEDGEROW_DROP_SERVICE_BACKEND_NOT_FOUND;
	*chosen = *backend;
	*chosen_id = backend_id;
	return 0;
}

/* Sends a rewritten packet out of the interface its new destination is routed through. */
static __always_inline int redirect_out(struct __sk_buff *skb, const struct event_source *source,
					const struct hedgerow_packet *pkt, __be32 saddr, __be32 daddr)
{
	struct bpf_fib_lookup fib = {};
	long status;

	fib.family = AF_INET;
	fib.ipv4_src = saddr;
	fib.ipv4_dst = daddr;
	fib.l4_protocol = pkt->protocol;
	fib.ifindex = skb->ifindex;
	status = bpf_fib_lookup(skb, &fib, sizeof(fib), 0);
	if (status != BPF_FIB_LKUP_RET_SUCCESS && status != BPF_FIB_LKUP_RET_NO_NEIGH)
		return drop(source, pkt, HEDGEROW_DROP_FIB_LOOKUP_FAILED);
	return bpf_redirect_neigh(fib.ifindex, 0, 0, 0);
}

/* The translation of a connection's first packet, noted in its flow event. */
static __always_inline void note_translation(struct event_source *source, struct hedgerow_packet *pkt, __u16 service_id,
					     const struct hedgerow_backend *backend, union hedgerow_addr *frontend)
{
	*frontend = pkt->daddr;
	source->translation_point = HEDGEROW_TRANSLATION_UPLINK;
	source->rev_nat_id = service_id;
	source->orig_daddr = frontend->bytes;
	source->orig_dport = pkt->dport;
	addr_set_ipv4(&pkt->daddr, addr_v4(backend->addr));
	pkt->dport = backend->port;
}

static __always_inline int translate_new(struct __sk_buff *skb, struct event_source *source, struct hedgerow_packet *pkt,
					 __u64 now)
{
	const struct hedgerow_config *config = config_get();
	const struct hedgerow_uplink_config *uplink = uplink_config();
	const struct hedgerow_service_value *frontend;
	struct hedgerow_service_key service_key = {};
	struct hedgerow_backend backend;
	struct hedgerow_nat4_key key;
	struct hedgerow_nat4_entry forward, reply;
	struct nat4_tuple from, to;
	union hedgerow_addr named; /* the frontend, for the flow event */
	__be32 client = pkt->saddr.words[3], frontend_addr = pkt->daddr.words[3], backend_addr, snat;
	__u32 hash, backend_id = 0;
	__u16 reason, service_id, port_min, port_max;

	frontend = external_frontend(&service_key, pkt);
	if (!frontend)
		return TC_ACT_OK; /* not an external frontend: none of our business */
	service_id = frontend->service_id;
	hash = maglev_flow_hash4(client, frontend_addr, pkt->sport, pkt->dport, pkt->protocol);
	reason = choose_backend(frontend, pkt, hash, &backend, &backend_id);
	if (reason)
		return drop(source, pkt, reason);
	backend_addr = addr_v4(backend.addr);

	from.saddr = client;
	from.daddr = frontend_addr;
	from.sport = pkt->sport;
	from.dport = pkt->dport;
	to = from;
	to.daddr = backend_addr;
	to.dport = backend.port;

	nat4_entry_init(&forward, pkt, now, config, 0);
	nat4_entry_init(&reply, pkt, now, config, HEDGEROW_NAT_F_REPLY);
	forward.service_id = reply.service_id = service_id;
	forward.backend_id = reply.backend_id = backend_id;
	/* Replies leave as the frontend the client named, to the client. */
	reply.saddr = frontend_addr;
	reply.sport = pkt->dport;
	reply.daddr = client;
	reply.dport = pkt->sport;

	if (backend.flags & HEDGEROW_BACKEND_F_LOCAL) {
		nat4_key(&key, backend_addr, client, backend.port, pkt->sport, pkt->protocol, HEDGEROW_NAT_HOOK_UPLINK_EGRESS);
		if (bpf_map_update_elem(&hedgerow_nat4, &key, &reply, BPF_ANY) < 0)
			return drop(source, pkt, HEDGEROW_DROP_CT_MAP_INSERTION_FAILED);
	} else {
		snat = uplink->snat_ipv4 ? uplink->snat_ipv4 : (is_node_address(&pkt->daddr) ? frontend_addr : 0);
		port_min = uplink->snat_port_min ? uplink->snat_port_min : HEDGEROW_SNAT_PORT_MIN;
		port_max = uplink->snat_port_max ? uplink->snat_port_max : HEDGEROW_SNAT_PORT_MAX;
		if (!snat || port_max < port_min)
			return drop(source, pkt, HEDGEROW_DROP_NO_MAPPING_FOR_NAT);
		reply.flags |= HEDGEROW_NAT_F_SNAT;
		nat4_key(&key, backend_addr, snat, backend.port, 0, pkt->protocol, HEDGEROW_NAT_HOOK_UPLINK_INGRESS);
		to.saddr = snat;
		to.sport = nat4_insert_snat_reply(&key, &reply, hash, port_min, port_max, now);
		if (!to.sport)
			return drop(source, pkt, HEDGEROW_DROP_NO_MAPPING_FOR_NAT);
		forward.flags |= HEDGEROW_NAT_F_SNAT;
	}
	forward.saddr = to.saddr;
	forward.daddr = to.daddr;
	forward.sport = to.sport;
	forward.dport = to.dport;
	nat4_key_of_packet(&key, pkt, HEDGEROW_NAT_HOOK_UPLINK_INGRESS);
	if (bpf_map_update_elem(&hedgerow_nat4, &key, &forward, BPF_ANY) < 0)
		return drop(source, pkt, HEDGEROW_DROP_CT_MAP_INSERTION_FAILED);

	if (nat4_rewrite(skb, pkt->protocol, &from, &to) < 0)
		return drop(source, pkt, HEDGEROW_DROP_ERROR_WRITING_TO_PACKET);
	note_translation(source, pkt, service_id, &backend, &named);
	report_new(source, pkt);
	if (forward.flags & HEDGEROW_NAT_F_SNAT)
		return redirect_out(skb, source, pkt, to.saddr, to.daddr);
	return TC_ACT_OK;
}

static __always_inline int handle(struct __sk_buff *skb, __u8 hook)
{
	struct hedgerow_packet pkt = {};
	struct event_source source = {};
	struct hedgerow_nat4_key key;
	struct hedgerow_nat4_entry *entry;
	__u64 now;
	int ingress = hook == HEDGEROW_NAT_HOOK_UPLINK_INGRESS;

	if (parse_pulled(skb, &pkt) != PARSE_OK || !nat4_translatable(&pkt))
		return TC_ACT_OK;
	source.ifindex = skb->ifindex;
	source.packet_length = skb->len;
	source.direction = ingress ? HEDGEROW_DIR_INGRESS : HEDGEROW_DIR_EGRESS;
	source.observation_point = ingress ? HEDGEROW_OBS_FROM_NETWORK : HEDGEROW_OBS_TO_NETWORK;

	now = bpf_jiffies64();
	nat4_key_of_packet(&key, &pkt, hook);
	entry = nat4_find(&key, now);
	if (entry && ingress && nat4_reopened_by(entry, &pkt))
		entry = 0;
	if (entry) {
		__be32 saddr = entry->saddr, daddr = entry->daddr;
		int redirect = entry->flags & HEDGEROW_NAT_F_SNAT;

		struct nat4_tuple from, to;

		nat4_refresh(entry, &pkt, now, config_get());
		nat4_tuple_of_packet(&from, &pkt);
		nat4_tuple_of_entry(&to, entry);
		if (nat4_rewrite(skb, pkt.protocol, &from, &to) < 0)
			return drop(&source, &pkt, HEDGEROW_DROP_ERROR_WRITING_TO_PACKET);
		return redirect && ingress ? redirect_out(skb, &source, &pkt, saddr, daddr) : TC_ACT_OK;
	}
	if (!ingress)
		return TC_ACT_OK;
	return translate_new(skb, &source, &pkt, now);
}

SEC("tc")
int uplink_ingress(struct __sk_buff *skb)
{
	return handle(skb, HEDGEROW_NAT_HOOK_UPLINK_INGRESS);
}

SEC("tc")
int uplink_egress(struct __sk_buff *skb)
{
	return handle(skb, HEDGEROW_NAT_HOOK_UPLINK_EGRESS);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
