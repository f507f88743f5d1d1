/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * Flow events into the ring buffer, drop counters, and the aggregation rule
 * that decides which forwarded packets are reported. A reservation that fails
 * (the agent is not keeping up) is counted, never silent.
 */
#ifndef HEDGEROW_EVENTS_H
#define HEDGEROW_EVENTS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "hedgerow_abi.h"
#include "parse.h"

/* 2 MiB hold ~18,000 events: 90 ms of a 200,000/s burst between reads. The agent's RSS counts
 * it twice (libbpf maps the data area twice, for records that wrap). */
#define HEDGEROW_EVENTS_BYTES (2 * 1024 * 1024)
/* The reader is woken when this much is pending; below it, it finds events on its
 * own short poll interval. A wake-up costs microseconds, so most events skip it. */
#define HEDGEROW_EVENTS_WAKEUP_BYTES (64 * 1024)
#define HEDGEROW_RINGBUF_RECORD_BYTES (sizeof(struct hedgerow_flow_event) + 8 /* BPF_RINGBUF_HDR_SZ */)

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, HEDGEROW_EVENTS_BYTES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} hedgerow_events SEC(".maps");

/* Events that found the ring buffer full, per CPU (one slot). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} hedgerow_lost_events SEC(".maps");

/* Dropped packets and bytes per CPU, index = reason * HEDGEROW_DIR_COUNT + direction. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HEDGEROW_DROP_SLOTS);
	__type(key, __u32);
	__type(value, struct hedgerow_traffic);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} hedgerow_drops SEC(".maps");

/* What every event of one packet shares. */
struct event_source {
	__u32 endpoint_id;
	__u32 ifindex;
	__u32 local_identity;
	__u32 packet_length;
	__u8 direction;
	__u8 observation_point;
	/* Service translation (rev_nat_id 0: none): the frontend the client named. A
	 * pointer rather than a copy: the endpoint program's stack is nearly full. */
	__u8 translation_point; /* enum hedgerow_translation_point */
	__u8 _pad;
	__be16 orig_dport;
	__u16 rev_nat_id;
	const __u8 *orig_daddr; /* 16 bytes, valid while the packet is handled */
};

/* What differs between the events of a packet's possible fates. */
struct event_outcome {
	__u32 remote_identity;
	__u32 policy_cookie;
	__u16 drop_reason;
	__u8 verdict;
	__u8 trace_reason;
	__u8 report_reason;
	__u8 policy_match_type;
	__u8 _pad[2];
};

static __always_inline void count_drop(const struct event_source *source, __u16 reason)
{
	__u32 slot = (__u32)(reason & (HEDGEROW_DROP_REASONS - 1)) * HEDGEROW_DIR_COUNT + (source->direction & 1);
	struct hedgerow_traffic *counter = bpf_map_lookup_elem(&hedgerow_drops, &slot);

	if (!counter)
		return;
	counter->packets += 1;
	counter->bytes += source->packet_length;
}

static __always_inline void count_lost_event(void)
{
	__u32 zero = 0;
	__u64 *lost = bpf_map_lookup_elem(&hedgerow_lost_events, &zero);

	if (lost)
		*lost += 1;
}

static __always_inline void emit_flow(const struct event_source *source, const struct hedgerow_packet *pkt,
				      const struct event_outcome *outcome)
{
	struct hedgerow_flow_event *event = bpf_ringbuf_reserve(&hedgerow_events, sizeof(*event), 0);
	int egress = source->direction == HEDGEROW_DIR_EGRESS;
	__u64 pending;

	if (!event) {
		count_lost_event();
		return;
	}
	/* Reserved memory is not zeroed: every byte is written below, padding included. */
	event->time_ns = bpf_ktime_get_ns();
	event->endpoint_id = source->endpoint_id;
	event->ifindex = source->ifindex;
	event->src_identity = egress ? source->local_identity : outcome->remote_identity;
	event->dst_identity = egress ? outcome->remote_identity : source->local_identity;
	event->packet_length = source->packet_length;
	event->policy_cookie = outcome->policy_cookie;
	__builtin_memcpy(event->saddr, pkt->saddr.bytes, sizeof(event->saddr));
	__builtin_memcpy(event->daddr, pkt->daddr.bytes, sizeof(event->daddr));
	if (pkt->protocol != IPPROTO_ICMP && pkt->protocol != HEDGEROW_IPPROTO_ICMPV6) {
		event->sport = pkt->sport;
		event->dport = pkt->dport;
	} else {
		event->sport = 0;
		event->dport = 0;
	}
	event->drop_reason = outcome->drop_reason;
	event->verdict = outcome->verdict;
	event->observation_point = source->observation_point;
	event->direction = source->direction;
	event->ip_version = pkt->ip_version;
	event->protocol = pkt->protocol;
	event->tcp_flags = pkt->tcp_flags;
	event->icmp_type = pkt->icmp_type;
	event->icmp_code = pkt->icmp_code;
	event->trace_reason = outcome->trace_reason;
	event->policy_match_type = outcome->policy_match_type;
	event->flags = pkt->flow_flags | (outcome->trace_reason == HEDGEROW_TRACE_REPLY ? HEDGEROW_FLOW_F_REPLY : 0) |
		       (source->rev_nat_id ? HEDGEROW_FLOW_F_TRANSLATED : 0);
	event->report_reason = outcome->report_reason;
	event->orig_dport = source->orig_dport;
	event->rev_nat_id = source->rev_nat_id;
	event->translation_point = source->translation_point;
	event->_pad = 0;
	if (source->rev_nat_id && source->orig_daddr)
		__builtin_memcpy(event->orig_daddr, source->orig_daddr, sizeof(event->orig_daddr));
	else
		__builtin_memset(event->orig_daddr, 0, sizeof(event->orig_daddr));
	/* Wake the reader only when this record carries the backlog across the threshold. */
	pending = bpf_ringbuf_query(&hedgerow_events, BPF_RB_AVAIL_DATA);
	bpf_ringbuf_submit(event, pending >= HEDGEROW_EVENTS_WAKEUP_BYTES &&
					  pending < HEDGEROW_EVENTS_WAKEUP_BYTES + HEDGEROW_RINGBUF_RECORD_BYTES
				      ? BPF_RB_FORCE_WAKEUP
				      : BPF_RB_NO_WAKEUP);
}

/*
 * Which forwarded packet of an existing connection becomes an event, by the
 * configured aggregation; 0 for none. Records the report in the entry.
 */
static __always_inline __u8 aggregate(__u32 aggregation, __u64 report_interval, struct hedgerow_ct_entry *entry,
				      int forward, __u8 new_tcp_flags, __u8 became_closing, __u64 now)
{
	__u64 last;
	__u8 reason = 0;

	if (aggregation == HEDGEROW_AGGREGATION_NONE)
		return HEDGEROW_REPORT_PACKET;
	if (aggregation == HEDGEROW_AGGREGATION_MAX) {
		if (!became_closing || (entry->flags & HEDGEROW_CT_F_CLOSE_REPORTED))
			return 0;
		entry->flags |= HEDGEROW_CT_F_CLOSE_REPORTED;
		return HEDGEROW_REPORT_CLOSE;
	}
	last = forward ? entry->last_report_forward : entry->last_report_reply;
	if (!forward && last == 0)
		reason = HEDGEROW_REPORT_FIRST_REPLY;
	else if (new_tcp_flags)
		reason = HEDGEROW_REPORT_TCP_FLAGS;
	else if (now - last >= report_interval)
		reason = HEDGEROW_REPORT_PERIODIC;
	if (reason) {
		if (forward)
			entry->last_report_forward = now;
		else
			entry->last_report_reply = now;
	}
	return reason;
}

#endif /* HEDGEROW_EVENTS_H */
