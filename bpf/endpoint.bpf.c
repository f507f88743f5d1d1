// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Programs on an endpoint's (pod's) host-side veth.
 *
 *   from_endpoint: tc ingress of the host-side veth = packets leaving the pod (egress policy)
 *   to_endpoint:   tc egress of the host-side veth  = packets entering the pod (ingress policy)
 *
 * Per packet: account it; parse it; find its connection. A reply or a packet of
 * an established connection (allowed at the endpoint's current policy revision)
 * passes at once. A new connection looks its remote address up in the ipcache
 * and the policy map, is dropped or gets a conntrack entry. Drops always become
 * flow events; forwarded packets as the configured aggregation says.
 *
 * IPv4 and IPv6 alike: IPv6 with up to four extension headers (256 bytes);
 * more is dropped as an invalid extension header. Fragments: the first carries
 * the ports, later ones find them in hedgerow_fragments (or are dropped when the
 * first never came by). ICMP and ICMPv6 echo are tracked by identifier; ICMP
 * errors about a tracked connection pass as related. Non-IP frames (ARP) and
 * IPv6 neighbour discovery and MLD pass unpoliced. Interfaces without an
 * endpoint entry pass untouched.
 *
 * Every dropped packet returns TC_ACT_SHOT, counts in hedgerow_drops and is
 * reported. The maps are pinned by name: a restarted agent adopts them while the
 * programs keep enforcing.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "hedgerow_abi.h"
#include "config.h"
#include "conntrack.h"
#include "events.h"
#include "parse.h"
#include "policy.h"
#include "service_fallback.h"

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

/*
 * Never read by the programs. The agent updates it before it rewrites a policy
 * generation that was recently active: the kernel answers a map-in-map update
 * only after every running BPF program has finished (synchronize_rcu), so no
 * packet still reads the entries being rewritten. See
 * Sources/HedgerowDatapath/Policy/PolicySyncPlan.swift.
 */
struct hedgerow_barrier_slot_map {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
};

struct hedgerow_barrier_slot_map hedgerow_barrier_slot SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct hedgerow_barrier_slot_map);
} hedgerow_sync_barrier SEC(".maps");

static __always_inline void account_traffic(__u32 endpoint_id, __u32 direction, __u32 length)
{
	__u32 slot = endpoint_id * HEDGEROW_DIR_COUNT + direction;
	struct hedgerow_traffic *traffic = bpf_map_lookup_elem(&hedgerow_traffic, &slot);

	if (!traffic)
		return;
	traffic->packets += 1;
	traffic->bytes += length;
}

/* Parsing again after a pull (rare): a subprogram, so the parser is not inlined
 * twice. The first parse is inline: as a call it cost ~10 ns on every packet. */
static __noinline int parse_again(struct __sk_buff *skb, struct hedgerow_packet *pkt)
{
	return parse_packet(skb, pkt);
}

static __always_inline int drop(struct event_source *source, const struct hedgerow_packet *pkt,
				struct event_outcome *outcome, __u16 reason)
{
	outcome->verdict = HEDGEROW_VERDICT_DROPPED;
	outcome->drop_reason = reason;
	outcome->report_reason = HEDGEROW_REPORT_DROP;
	count_drop(source, reason);
	services_frontend_for_event(source);
	emit_flow(source, pkt, outcome);
	return TC_ACT_SHOT;
}

static __always_inline int forward(struct event_source *source, const struct hedgerow_packet *pkt,
				   struct event_outcome *outcome, __u8 report_reason)
{
	if (report_reason) {
		outcome->verdict = HEDGEROW_VERDICT_FORWARDED;
		outcome->report_reason = report_reason;
		services_frontend_for_event(source);
		emit_flow(source, pkt, outcome);
	}
	return TC_ACT_OK;
}

/* A connection that passes although an audit-mode policy would drop it: reported with verdict
 * AUDIT, the reason it would have been dropped and that policy. */
static __always_inline int forward_audited(struct event_source *source, const struct hedgerow_packet *pkt,
					   struct event_outcome *outcome, const struct policy_decision *would)
{
	outcome->verdict = HEDGEROW_VERDICT_AUDIT;
	outcome->drop_reason = would->drop_reason;
	outcome->policy_cookie = would->cookie;
	outcome->policy_match_type = would->match_type;
	outcome->report_reason = HEDGEROW_REPORT_NEW;
	services_frontend_for_event(source);
	emit_flow(source, pkt, outcome);
	return TC_ACT_OK;
}

/* Policy for a connection's forward direction; fills the outcome's policy fields with the
 * enforced decision, and `audit` with the audit view's when the enforced one allows. */
static __always_inline __u16 check_policy(const struct event_source *source, const struct hedgerow_packet *pkt,
					  __u32 endpoint_flags, struct event_outcome *outcome, struct policy_decision *audit)
{
	const union hedgerow_addr *remote = source->direction == HEDGEROW_DIR_EGRESS ? &pkt->daddr : &pkt->saddr;
	struct policy_decision decision;

	outcome->remote_identity = ipcache_identity(remote);
	policy_decide(source->endpoint_id, endpoint_flags, source->direction, outcome->remote_identity, pkt->protocol,
		      pkt->policy_port, &decision);
	outcome->policy_cookie = decision.cookie;
	outcome->policy_match_type = decision.match_type;
	if (decision.drop_reason)
		return decision.drop_reason;
	policy_audit(source->endpoint_id, endpoint_flags, source->direction, outcome->remote_identity, pkt->protocol,
		     pkt->policy_port, audit);
	return 0;
}

static __always_inline int track(struct __sk_buff *skb, struct event_source *source, struct hedgerow_packet *pkt,
				 __u32 endpoint_flags)
{
	struct event_outcome outcome = {};
	struct policy_decision audit = {};
	const struct hedgerow_config *config = config_get();
	struct ct_key key;
	struct hedgerow_ct_entry *entry;
	struct ct_change change;
	__u32 revision = endpoint_flags >> HEDGEROW_EP_REVISION_SHIFT;
	__u64 now;
	__u16 denied;
	__u8 state;
	int forward_direction;

	/* Lifetimes and report intervals are seconds: kernel ticks are enough and cost a load. */
	now = bpf_jiffies64();
	entry = ct_lookup(pkt, source->endpoint_id, source->direction, now, &key, &state);

	/* A SYN on a closing connection's tuple opens a new connection (key: the packet's tuple). */
	if (entry && state == HEDGEROW_TRACE_ESTABLISHED && pkt->protocol == IPPROTO_TCP &&
	    (entry->flags & HEDGEROW_CT_F_CLOSING) && (pkt->tcp_flags & (TCP_FLAG_SYN | TCP_FLAG_ACK)) == TCP_FLAG_SYN) {
		entry = 0;
		state = HEDGEROW_TRACE_NEW;
	}
	outcome.trace_reason = state;

	if (!entry) {
		struct ct_origin origin = {};

		if (source->direction == HEDGEROW_DIR_EGRESS && !source->rev_nat_id)
			services_socket(skb, pkt, source);
		denied = check_policy(source, pkt, endpoint_flags, &outcome, &audit);
		if (denied)
			return drop(source, pkt, &outcome, denied);
		origin.policy_revision = revision;
		origin.policy_cookie = outcome.policy_cookie;
		origin.remote_identity = outcome.remote_identity;
		origin.packet_length = source->packet_length;
		origin.policy_match_type = outcome.policy_match_type;
		origin.direction = source->direction;
		origin.rev_nat_id = source->rev_nat_id;
		origin.translation_point = source->translation_point;
		origin.reported = 1; /* every aggregation level reports a new connection */
		if (ct_create(&key, pkt, now, config, &origin) < 0)
			return drop(source, pkt, &outcome, HEDGEROW_DROP_CT_MAP_INSERTION_FAILED);
		if (audit.drop_reason)
			return forward_audited(source, pkt, &outcome, &audit);
		return forward(source, pkt, &outcome, HEDGEROW_REPORT_NEW);
	}

	outcome.remote_identity = entry->remote_identity;
	outcome.policy_cookie = entry->policy_cookie;
	outcome.policy_match_type = entry->policy_match_type;
	/* The connection's service, unless this packet's own translation named it. */
	if (!source->rev_nat_id && entry->rev_nat_id) {
		source->rev_nat_id = entry->rev_nat_id;
		source->translation_point = entry->translation_point;
	}

	if (state == HEDGEROW_TRACE_RELATED) {
		if (config_aggregation(config) == HEDGEROW_AGGREGATION_MAX)
			return TC_ACT_OK;
		return forward(source, pkt, &outcome, HEDGEROW_REPORT_PACKET);
	}

	forward_direction = state == HEDGEROW_TRACE_ESTABLISHED;
	/* The endpoint's policy changed since this connection was allowed: ask again. */
	if (forward_direction && entry->policy_revision != revision) {
		denied = check_policy(source, pkt, endpoint_flags, &outcome, &audit);
		if (denied)
			return drop(source, pkt, &outcome, denied);
		entry->policy_revision = revision;
		entry->policy_cookie = outcome.policy_cookie;
		entry->remote_identity = outcome.remote_identity;
		entry->policy_match_type = outcome.policy_match_type;
		if (audit.drop_reason) {
			ct_update(entry, pkt, forward_direction, now, source->packet_length, config, &change);
			return forward_audited(source, pkt, &outcome, &audit);
		}
	}

	ct_update(entry, pkt, forward_direction, now, source->packet_length, config, &change);
	return forward(source, pkt, &outcome,
		       aggregate(config_aggregation(config), config_report_interval_ticks(config), entry, forward_direction,
				 change.new_tcp_flags, change.became_closing, now));
}

static __always_inline int handle(struct __sk_buff *skb, __u8 direction, __u8 observation_point)
{
	struct hedgerow_endpoint_key endpoint_key = { .ifindex = skb->ifindex };
	struct hedgerow_endpoint_info *endpoint;
	struct hedgerow_packet pkt = {};
	struct event_source source = {};
	struct event_outcome outcome = {};
	__u32 endpoint_id, endpoint_flags, identity;
	int status;

	endpoint = bpf_map_lookup_elem(&hedgerow_endpoints, &endpoint_key);
	if (!endpoint)
		return TC_ACT_OK;
	/* Read once: flags and policy revision belong together (the agent may replace the entry). */
	endpoint_id = endpoint->endpoint_id;
	endpoint_flags = *(volatile __u32 *)&endpoint->flags;
	identity = endpoint->identity;
	/* Endpoint id 0 is never assigned; ids past the table would alias other slots. */
	if (endpoint_id == 0 || endpoint_id >= HEDGEROW_MAX_ENDPOINTS)
		return TC_ACT_OK;
	account_traffic(endpoint_id, direction, skb->len);

	status = parse_packet(skb, &pkt);
	if (status == PARSE_TRUNCATED && skb->len > skb->data_end - skb->data) {
		/* Headers beyond the linear data (a GRO'd or paged packet): pull and read again. */
		__u32 want = skb->len < HEDGEROW_HEADER_BYTES ? skb->len : HEDGEROW_HEADER_BYTES;

		if (bpf_skb_pull_data(skb, want) == 0) {
			__builtin_memset(&pkt, 0, sizeof(pkt));
			status = parse_again(skb, &pkt);
		}
	}
	if (status == PARSE_NOT_IP || status == PARSE_UNPOLICED)
		return TC_ACT_OK;

	source.endpoint_id = endpoint_id;
	source.ifindex = skb->ifindex;
	source.local_identity = identity;
	source.packet_length = skb->len;
	source.direction = direction;
	source.observation_point = observation_point;

	if (status == PARSE_TRUNCATED)
		status = HEDGEROW_DROP_CT_TRUNCATED_OR_INVALID_HEADER;
	if (status == PARSE_OK)
		status = fragment_ports(&pkt);
	if (status == PARSE_OK)
		status = endpoint_services(skb, &pkt, &source); /* service_fallback.h: may translate */
	if (status != PARSE_OK)
		return drop(&source, &pkt, &outcome, status);
	return track(skb, &source, &pkt, endpoint_flags);
}

SEC("tc")
int from_endpoint(struct __sk_buff *skb)
{
	return handle(skb, HEDGEROW_DIR_EGRESS, HEDGEROW_OBS_FROM_ENDPOINT);
}

SEC("tc")
int to_endpoint(struct __sk_buff *skb)
{
	return handle(skb, HEDGEROW_DIR_INGRESS, HEDGEROW_OBS_TO_ENDPOINT);
}

/* Written only by datapath_clock. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hedgerow_clock);
} hedgerow_clock SEC(".maps");

/* Never attached: the agent test-runs it to read conntrack's clock (kernel ticks). */
SEC("tc")
int datapath_clock(struct __sk_buff *skb __attribute__((unused)))
{
	__u32 zero = 0;
	struct hedgerow_clock *clock = bpf_map_lookup_elem(&hedgerow_clock, &zero);

	if (clock) {
		clock->ticks = bpf_jiffies64();
		clock->monotonic_ns = bpf_ktime_get_ns();
		clock->ticks_per_second = CONFIG_HZ;
		clock->_pad = 0;
	}
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
