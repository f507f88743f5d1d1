/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The one description of every value that crosses the kernel/user boundary:
 * map keys and values, event records, enums. BPF programs include it directly;
 * Swift imports it through the CHedgerowABI target, and a test checks that the
 * Swift view has the sizes and offsets asserted in Sources/CHedgerowABI/layout.c.
 * Never copy a layout.
 *
 * Rules: fixed-width types only, explicit padding, no bitfields, every struct a
 * multiple of 8 bytes (except the 4-byte endpoint key, kept for compatibility).
 * Numbers that mean something elsewhere keep that meaning: verdicts, drop
 * reasons, observation points, trace reasons and policy match types are
 * Hubble's (flow.proto), identities are Cilium's.
 *
 * Addresses are 16 bytes everywhere; an IPv4 address is stored IPv4-mapped
 * (::ffff:a.b.c.d), so IPv4 and IPv6 share every map and the event.
 */
#ifndef HEDGEROW_ABI_H
#define HEDGEROW_ABI_H

#include <linux/types.h>

#define HEDGEROW_MAX_ENDPOINTS 65536

/* Direction as seen from the endpoint (pod). */
enum hedgerow_direction {
	HEDGEROW_DIR_EGRESS = 0,  /* leaving the pod: tc ingress on the host-side veth */
	HEDGEROW_DIR_INGRESS = 1, /* entering the pod: tc egress on the host-side veth */
	HEDGEROW_DIR_COUNT = 2,
};

/* ------------------------------------------------------------------------ */
/* Endpoints                                                                */
/* ------------------------------------------------------------------------ */

/* hedgerow_endpoints: host-side veth ifindex -> endpoint. */
struct hedgerow_endpoint_key {
	__u32 ifindex;
};

/*
 * hedgerow_endpoint_info.flags: bits 0-9 are flags, bits 10-31 the endpoint's
 * policy revision. The datapath reads the word once per packet, so everything
 * policy needs - enforcement, which policy generation to look up, revision -
 * is seen as one consistent value. Per-direction bits are indexed by
 * enum hedgerow_direction: ENFORCE_EGRESS == ENFORCE_BASE << HEDGEROW_DIR_EGRESS.
 */
enum hedgerow_endpoint_flags {
	HEDGEROW_EP_F_ACTIVE = 1u << 0,
	/* Default deny in that direction (a policy selects the endpoint). */
	HEDGEROW_EP_F_ENFORCE_EGRESS = 1u << 1,
	HEDGEROW_EP_F_ENFORCE_INGRESS = 1u << 2,
	/* The active generation holds entries for the endpoint in that direction; when a
	 * direction neither enforces nor has entries, new connections skip the lookups. */
	HEDGEROW_EP_F_RULES_EGRESS = 1u << 3,
	HEDGEROW_EP_F_RULES_INGRESS = 1u << 4,
	/* Which of the endpoint's two policy generations is active (see hedgerow_policy_key). */
	HEDGEROW_EP_F_POLICY_GENERATION = 1u << 5,
	/* Audit mode: an audit-mode policy selects the endpoint in that direction. A connection
	 * the policy allows is looked up again in the audit view (every policy, as if enforced);
	 * when that view drops it, it passes and is reported with verdict AUDIT. */
	HEDGEROW_EP_F_AUDIT_EGRESS = 1u << 6,
	HEDGEROW_EP_F_AUDIT_INGRESS = 1u << 7,
	/* The audit view's default deny in that direction. */
	HEDGEROW_EP_F_AUDIT_ENFORCE_EGRESS = 1u << 8,
	HEDGEROW_EP_F_AUDIT_ENFORCE_INGRESS = 1u << 9,
};

#define HEDGEROW_EP_F_ENFORCE_BASE 2u /* == HEDGEROW_EP_F_ENFORCE_EGRESS */
#define HEDGEROW_EP_F_RULES_BASE 8u   /* == HEDGEROW_EP_F_RULES_EGRESS */
#define HEDGEROW_EP_F_AUDIT_BASE 64u  /* == HEDGEROW_EP_F_AUDIT_EGRESS */
#define HEDGEROW_EP_F_AUDIT_ENFORCE_BASE 256u /* == HEDGEROW_EP_F_AUDIT_ENFORCE_EGRESS */
#define HEDGEROW_EP_REVISION_SHIFT 10
#define HEDGEROW_EP_REVISION_MASK 0xfffffc00u

struct hedgerow_endpoint_info {
	__u32 endpoint_id; /* 1..HEDGEROW_MAX_ENDPOINTS-1, 0 is never used */
	__u32 identity;    /* security identity; 0 until policy assigns one */
	__u32 flags;       /* enum hedgerow_endpoint_flags | revision << HEDGEROW_EP_REVISION_SHIFT */
	__u32 ipv4;        /* network byte order, 0 when none */
	__u8 ipv6[16];     /* all zero when none */
};

/* hedgerow_traffic: per-CPU array, index = endpoint_id * HEDGEROW_DIR_COUNT + direction.
 * The same packets/bytes pair counts drops (hedgerow_drops). */
struct hedgerow_traffic {
	__u64 packets;
	__u64 bytes;
};

/* A plain number so that Swift imports it; the assert keeps it honest. */
#define HEDGEROW_TRAFFIC_SLOTS 131072
_Static_assert(HEDGEROW_TRAFFIC_SLOTS == HEDGEROW_MAX_ENDPOINTS * HEDGEROW_DIR_COUNT, "traffic slots");

/* ------------------------------------------------------------------------ */
/* Configuration (hedgerow_config: array of one, written by the agent)      */
/* ------------------------------------------------------------------------ */

/* Which forwarded packets produce flow events. Drops always do. */
enum hedgerow_aggregation {
	HEDGEROW_AGGREGATION_DEFAULT = 0, /* an unwritten config: medium */
	HEDGEROW_AGGREGATION_NONE = 1,    /* every packet */
	HEDGEROW_AGGREGATION_MEDIUM = 2,  /* new connection, first SYN/FIN/RST per direction, first reply, periodic */
	HEDGEROW_AGGREGATION_MAX = 3,     /* new connection and its close only */
};

/* Every zero field means "the default" (in parentheses), so an agent that never
 * wrote the map still gets a working datapath. Conntrack keeps time in kernel
 * ticks (jiffies): reading them costs a load, where the clock helpers cost
 * ~15 ns per packet. */
struct hedgerow_config {
	__u64 report_interval_ticks; /* medium: re-report an active direction this often (5 s) */
	__u32 aggregation;           /* enum hedgerow_aggregation */
	__u32 ticks_per_second;      /* the kernel's HZ (CONFIG_HZ from the kernel config, else 1000) */
	__u32 ct_tcp_lifetime_s;     /* established TCP connection idle lifetime (21600 s) */
	__u32 ct_syn_lifetime_s;     /* TCP connection before the first reply (60 s) */
	__u32 ct_close_lifetime_s;   /* TCP after RST or FIN both ways (10 s) */
	__u32 ct_other_lifetime_s;   /* UDP, SCTP, ICMP and other protocols (60 s) */
};

/* hedgerow_clock (one element): written by the datapath_clock program when the
 * agent test-runs it, so user space can read conntrack times. */
struct hedgerow_clock {
	__u64 ticks;             /* bpf_jiffies64(): conntrack's clock */
	__u64 monotonic_ns;      /* bpf_ktime_get_ns() at the same moment */
	__u32 ticks_per_second;  /* CONFIG_HZ, 0 when libbpf found no kernel config */
	__u32 _pad;
};

/* ------------------------------------------------------------------------ */
/* ipcache: LPM trie, IP prefix -> security identity                        */
/* ------------------------------------------------------------------------ */

/* prefixlen counts address bits: an IPv4 /24 is 96 + 24 (its IPv4-mapped form). */
struct hedgerow_ipcache_key {
	__u32 prefixlen;
	__u8 addr[16];
	__u32 _pad; /* after the address, so never part of a prefix */
};

struct hedgerow_ipcache_value {
	__u32 identity;
	__u32 flags; /* reserved, 0 */
};

/* Cilium's reserved identities that the datapath itself uses. */
#define HEDGEROW_IDENTITY_ANY 0   /* wildcard in policy keys */
#define HEDGEROW_IDENTITY_WORLD 2 /* an address no ipcache prefix covers */

/* ------------------------------------------------------------------------ */
/* Policy: LPM trie {endpoint, identity, direction, protocol, port}          */
/* ------------------------------------------------------------------------ */

/*
 * Endpoint, identity and direction are always matched in full (the first 72
 * bits); then the protocol (8 bits, a key without it matches every protocol)
 * and the destination port bits (a port range is a few prefixes). The datapath
 * looks up twice per new connection: with the remote identity and with
 * HEDGEROW_IDENTITY_ANY; a deny from either wins, else an allow from either.
 *
 * Every endpoint has two generations of entries, told apart by bit 1 of the
 * direction byte. The endpoint's flags word names the active one; the agent
 * writes a new policy into the other and then switches with one write of the
 * flags word (together with enforcement and revision), so every packet sees
 * one whole policy, the old or the new.
 */
struct hedgerow_policy_key {
	__u32 prefixlen;   /* HEDGEROW_POLICY_PREFIX_STATIC + 8 (protocol) + port bits */
	__u32 endpoint_id; /* host byte order: always matched in full */
	__u32 identity;    /* remote identity, HEDGEROW_IDENTITY_ANY for any */
	__u8 direction;    /* enum hedgerow_direction | generation << 1 | view << 2 */
	__u8 protocol;     /* IP protocol number, 0 with a prefix that stops before it */
	__be16 port;       /* network byte order: its leading bits are a prefix */
};

#define HEDGEROW_POLICY_GENERATION_SHIFT 1 /* in hedgerow_policy_key.direction */
/* Also in the direction byte: 0 the enforced policy, 1 the audit view (see HEDGEROW_EP_F_AUDIT_EGRESS). */
#define HEDGEROW_POLICY_VIEW_SHIFT 2
#define HEDGEROW_POLICY_PREFIX_STATIC 72 /* endpoint_id, identity, direction */
#define HEDGEROW_POLICY_PREFIX_FULL 96

enum hedgerow_policy_action {
	HEDGEROW_POLICY_ALLOW = 1,
	HEDGEROW_POLICY_DENY = 2,
};

struct hedgerow_policy_value {
	__u32 cookie;     /* names the rules behind the entry (user space keeps the table) */
	__u8 action;      /* enum hedgerow_policy_action */
	__u8 match_bits;  /* the key's prefixlen - HEDGEROW_POLICY_PREFIX_STATIC: 0 any protocol, 8 protocol only, 8+n port /n */
	__u16 _pad;
};

/* Hubble's (Cilium monitor's) policy match types, for flows. */
enum hedgerow_policy_match {
	HEDGEROW_POLICY_MATCH_NONE = 0,
	HEDGEROW_POLICY_MATCH_L3_ONLY = 1,    /* identity, any protocol */
	HEDGEROW_POLICY_MATCH_L3_L4 = 2,      /* identity and port */
	HEDGEROW_POLICY_MATCH_L4_ONLY = 3,    /* any identity, port */
	HEDGEROW_POLICY_MATCH_ALL = 4,        /* any identity, any protocol */
	HEDGEROW_POLICY_MATCH_L3_PROTO = 5,   /* identity and protocol */
	HEDGEROW_POLICY_MATCH_PROTO_ONLY = 6, /* any identity, protocol */
};

/* ------------------------------------------------------------------------ */
/* Conntrack: LRU hash, one entry per connection and endpoint               */
/* ------------------------------------------------------------------------ */

/* One key for both directions of a connection: the endpoint's (local) side and
 * the remote side, whichever sent the packet, so every packet needs one lookup.
 * The entry's `direction` says which side opened it. ICMP echo: the identifier
 * is the port on the requester's side, 0 on the other. IPv4 and IPv6 have maps
 * of their own (hedgerow_ct4, hedgerow_ct6): a short key hashes faster. */
struct hedgerow_ct4_key {
	__be32 local_addr;
	__be32 remote_addr;
	__be16 local_port;
	__be16 remote_port;
	__u16 endpoint_id; /* < HEDGEROW_MAX_ENDPOINTS */
	__u8 protocol;
	__u8 _pad;
};

struct hedgerow_ct6_key {
	__u8 local_addr[16];
	__u8 remote_addr[16];
	__be16 local_port;
	__be16 remote_port;
	__u16 endpoint_id;
	__u8 protocol;
	__u8 _pad;
};

enum hedgerow_ct_flags {
	HEDGEROW_CT_F_REPLY_SEEN = 1u << 0,
	HEDGEROW_CT_F_CLOSING = 1u << 1,        /* RST, or FIN both ways: short lifetime */
	HEDGEROW_CT_F_CLOSE_REPORTED = 1u << 2, /* the close went out as a flow event */
};

/* Times are kernel ticks (bpf_jiffies64(), see hedgerow_clock): they only measure
 * lifetimes and report intervals. Counters are per entry and
 * not atomic: under packets of one connection on several CPUs at once they may
 * lose a few counts, never corrupt the entry. "Forward" is the direction of the
 * connection's first packet, "reply" the other. */
struct hedgerow_ct_entry {
	__u64 created;               /* ticks */
	__u64 expires;               /* ticks: the entry counts as absent from then on */
	__u64 last_report_forward;   /* ticks, for medium aggregation, per direction; 0 = never */
	__u64 last_report_reply;
	__u64 packets_forward;
	__u64 bytes_forward;
	__u64 packets_reply;
	__u64 bytes_reply;
	__u32 policy_revision;  /* endpoint revision the forward direction was last allowed at */
	__u32 policy_cookie;    /* the entry that allowed it (0: none needed) */
	__u32 remote_identity;  /* at creation or the last policy check */
	__u16 rev_nat_id;       /* the service (frontend) the connection was opened to; 0: none */
	__u8 tcp_flags_forward; /* every TCP flag seen per direction */
	__u8 tcp_flags_reply;
	__u8 flags;             /* enum hedgerow_ct_flags */
	__u8 policy_match_type; /* enum hedgerow_policy_match */
	__u8 direction;         /* the hook that saw the first packet: egress when the pod opened it */
	__u8 translation_point; /* enum hedgerow_translation_point, with rev_nat_id */
	__u8 _pad[4];
};

/* Fragments: the ports of a datagram, recorded from its first fragment so the
 * later ones (which carry no L4 header) find the connection. LRU hash. */
struct hedgerow_frag_key {
	__u8 saddr[16];
	__u8 daddr[16];
	__u32 id; /* IPv4: the 16-bit identification; IPv6: the fragment header's */
	__u8 protocol;
	__u8 _pad[3];
};

struct hedgerow_frag_value {
	__be16 sport;
	__be16 dport;
	__u32 _pad;
};

/* ------------------------------------------------------------------------ */
/* Verdicts, drops, flow events                                             */
/* ------------------------------------------------------------------------ */

/* flow.proto Verdict */
enum hedgerow_verdict {
	HEDGEROW_VERDICT_FORWARDED = 1,
	HEDGEROW_VERDICT_DROPPED = 2,
	HEDGEROW_VERDICT_AUDIT = 4, /* forwarded; an audit-mode policy would have dropped it (drop_reason says why) */
};

/* flow.proto DropReason: the ones this datapath emits. */
enum hedgerow_drop_reason {
	HEDGEROW_DROP_NONE = 0,
	HEDGEROW_DROP_POLICY_DENIED = 133,                 /* no allow entry, direction enforced */
	HEDGEROW_DROP_INVALID_PACKET = 134,                /* IPv4 header length < 20 or similar */
	HEDGEROW_DROP_CT_TRUNCATED_OR_INVALID_HEADER = 135, /* L3/L4 header cut short */
	HEDGEROW_DROP_CT_MAP_INSERTION_FAILED = 155,
	HEDGEROW_DROP_INVALID_IPV6_EXTENSION_HEADER = 156, /* more than 4, or longer than 256 bytes */
	HEDGEROW_DROP_FRAGMENT_NOT_FOUND = 175,            /* FIRST_LOGICAL_DATAGRAM_FRAGMENT_NOT_FOUND */
	HEDGEROW_DROP_POLICY_DENY = 181,                   /* an explicit deny entry */
};

/* hedgerow_drops: per-CPU array of struct hedgerow_traffic,
 * index = drop reason * HEDGEROW_DIR_COUNT + direction. */
#define HEDGEROW_DROP_REASONS 256
#define HEDGEROW_DROP_SLOTS 512
_Static_assert(HEDGEROW_DROP_SLOTS == HEDGEROW_DROP_REASONS * HEDGEROW_DIR_COUNT, "drop slots");

/* flow.proto TraceObservationPoint */
enum hedgerow_observation_point {
	HEDGEROW_OBS_TO_STACK = 3,
	HEDGEROW_OBS_FROM_ENDPOINT = 5,
	HEDGEROW_OBS_TO_ENDPOINT = 101,
};

/* flow.proto TraceReason: the packet's conntrack state. */
enum hedgerow_trace_reason {
	HEDGEROW_TRACE_UNKNOWN = 0,
	HEDGEROW_TRACE_NEW = 1,
	HEDGEROW_TRACE_ESTABLISHED = 2,
	HEDGEROW_TRACE_REPLY = 3,
	HEDGEROW_TRACE_RELATED = 4,
};

/* flow.proto IPVersion */
enum hedgerow_ip_version {
	HEDGEROW_IPV4 = 1,
	HEDGEROW_IPV6 = 2,
};

/* Why an event was emitted (for aggregation bookkeeping and tests). */
enum hedgerow_report_reason {
	HEDGEROW_REPORT_DROP = 1,
	HEDGEROW_REPORT_PACKET = 2,     /* aggregation none: every packet */
	HEDGEROW_REPORT_NEW = 3,        /* first packet of a connection */
	HEDGEROW_REPORT_FIRST_REPLY = 4,
	HEDGEROW_REPORT_TCP_FLAGS = 5,  /* SYN, FIN or RST seen first in this direction */
	HEDGEROW_REPORT_PERIODIC = 6,
	HEDGEROW_REPORT_CLOSE = 7,
};

enum hedgerow_flow_flags {
	HEDGEROW_FLOW_F_REPLY = 1u << 0,       /* the packet goes against the connection's direction */
	HEDGEROW_FLOW_F_TCP_NS = 1u << 1,      /* the TCP NS bit (outside the flags byte) */
	HEDGEROW_FLOW_F_FRAGMENT = 1u << 2,    /* a non-first fragment: ports from the first */
	HEDGEROW_FLOW_F_TRANSLATED = 1u << 3,  /* orig_daddr/orig_dport hold the pre-translation destination */
};

/* The ring buffer record (hedgerow_events): one per reported packet. */
struct hedgerow_flow_event {
	__u64 time_ns;           /* bpf_ktime_get_ns(): CLOCK_MONOTONIC */
	__u32 endpoint_id;
	__u32 ifindex;           /* the host-side veth */
	__u32 src_identity;
	__u32 dst_identity;
	__u32 packet_length;     /* skb->len */
	__u32 policy_cookie;     /* the policy entry that decided (0: none) */
	__u8 saddr[16];
	__u8 daddr[16];
	__be16 sport;            /* network byte order; 0 for ICMP */
	__be16 dport;
	__u16 drop_reason;       /* enum hedgerow_drop_reason, 0 unless dropped */
	__u8 verdict;            /* enum hedgerow_verdict */
	__u8 observation_point;  /* enum hedgerow_observation_point */
	__u8 direction;          /* enum hedgerow_direction */
	__u8 ip_version;         /* enum hedgerow_ip_version */
	__u8 protocol;
	__u8 tcp_flags;          /* the flags byte: FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20 ECE 0x40 CWR 0x80 */
	__u8 icmp_type;
	__u8 icmp_code;
	__u8 trace_reason;       /* enum hedgerow_trace_reason */
	__u8 policy_match_type;  /* enum hedgerow_policy_match */
	__u8 flags;              /* enum hedgerow_flow_flags */
	__u8 report_reason;      /* enum hedgerow_report_reason */
	/* With HEDGEROW_FLOW_F_TRANSLATED: the destination the client named (the
	 * frontend), the service (its rev-NAT id) and where it was translated. */
	__be16 orig_dport;
	__u16 rev_nat_id;        /* the service id */
	__u8 translation_point;  /* enum hedgerow_translation_point (was padding: no offset moved) */
	__u8 _pad;
	__u8 orig_daddr[16];
};

/* ------------------------------------------------------------------------ */
/* Services: socket-level and node-level load balancing                     */
/* ------------------------------------------------------------------------ */

/*
 * hedgerow_services (hash): one frontend (VIP, port, protocol) is a run of
 * entries that differ in `slot`. Slot 0 is the frontend itself (backend count,
 * service id, flags); slots 1..backend_count each name one backend id. A lookup
 * reads slot 0, picks n in 1..count and reads slot n, then the backend. The
 * agent writes backends before the slots naming them, slots before the count
 * that exposes them, and deletes last, so every slot a reader can reach holds a
 * backend that exists (Sources/HedgerowDatapath/Services/ServiceSyncPlan.swift).
 *
 * NodePort frontends ("every node address") use the unspecified address of
 * their family (::ffff:0.0.0.0 or ::) with HEDGEROW_SVC_F_NODE_PORT.
 */
#define HEDGEROW_MAX_SERVICE_ENTRIES 262144 /* frontends plus backend slots */
#define HEDGEROW_MAX_BACKENDS 65536
#define HEDGEROW_MAX_SERVICE_IDS 65536     /* service ids are 16 bits, 0 unused */

struct hedgerow_service_key {
	__u8 addr[16];  /* the VIP */
	__be16 port;    /* network byte order */
	__u8 protocol;  /* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP */
	__u8 _pad;
	__u16 slot;     /* 0: the frontend; 1..backend_count: its backends */
	__u16 _pad2;
};

enum hedgerow_service_flags {
	HEDGEROW_SVC_F_AFFINITY = 1u << 0,    /* sessionAffinity ClientIP: see hedgerow_affinity_* */
	HEDGEROW_SVC_F_LOCAL = 1u << 1,       /* traffic policy Local: the backends are this node's only */
	HEDGEROW_SVC_F_NO_BACKENDS = 1u << 2, /* reject (backend_count is 0 too; said twice for readers) */
	HEDGEROW_SVC_F_EXTERNAL = 1u << 3,    /* an external IP, LoadBalancer IP or node port */
	HEDGEROW_SVC_F_NODE_PORT = 1u << 4,   /* addr is "every node address" of its family */
};

struct hedgerow_service_value {
	__u32 backend_id;         /* slots >= 1: the backend (hedgerow_backends key); slot 0: 0 */
	__u16 backend_count;      /* slot 0 */
	__u16 service_id;         /* slot 0: the rev-NAT id (hedgerow_rev_nat key), never 0 */
	__u32 flags;              /* slot 0: enum hedgerow_service_flags */
	__u32 affinity_timeout_s; /* slot 0, with HEDGEROW_SVC_F_AFFINITY: the pin's idle lifetime */
};

enum hedgerow_backend_flags {
	HEDGEROW_BACKEND_F_LOCAL = 1u << 0,       /* runs on this node */
	HEDGEROW_BACKEND_F_TERMINATING = 1u << 1, /* serving while terminating (no backend is ready) */
};

/* hedgerow_backends (hash): backend id (__u32, never 0, not reused while the
 * agent runs) -> where to send. One entry per address, port and protocol,
 * shared by every frontend that uses it. */
struct hedgerow_backend {
	__u8 addr[16];
	__be16 port;   /* network byte order */
	__u8 protocol;
	__u8 flags;    /* enum hedgerow_backend_flags */
	__u32 _pad;
};

/* hedgerow_rev_nat (hash): service id (__u32 key holding the 16-bit id) -> the
 * frontend replies must appear to come from. */
struct hedgerow_rev_nat {
	__u8 addr[16];
	__be16 port;
	__u8 protocol;
	__u8 _pad;
	__u32 _pad2;
};

/*
 * ClientIP session affinity (hedgerow_affinity, LRU hash). At connect() the
 * client's address is not known yet, so socket-level LB names the client by its
 * network namespace cookie (one pod, one namespace, one address), as Cilium
 * does; the node-level LB uses the client address.
 */
enum hedgerow_affinity_client {
	HEDGEROW_AFFINITY_CLIENT_NETNS = 0, /* client[0..7]: bpf_get_netns_cookie(), host byte order */
	HEDGEROW_AFFINITY_CLIENT_ADDR = 1,  /* client: the source address */
};

struct hedgerow_affinity_key {
	__u8 client[16];
	__u16 service_id;
	__u8 client_kind; /* enum hedgerow_affinity_client */
	__u8 _pad[5];
};

struct hedgerow_affinity_value {
	__u64 last_used_ns; /* bpf_ktime_get_ns() of the last connection through the pin */
	__u32 backend_id;
	__u32 _pad;
};

/* hedgerow_affinity_match (hash): present while the backend is one of the
 * service's, so a pin to a backend the service dropped is not followed (the
 * backend may live on for other services). Only affinity services have entries. */
struct hedgerow_affinity_match_key {
	__u32 backend_id;
	__u16 service_id;
	__u16 _pad;
};

/*
 * Socket-level reverse translation (hedgerow_sock_rev_nat, LRU hash). connect()
 * and sendmsg() record, per socket and backend, the frontend they translated;
 * recvmsg() (UDP) and getpeername() find the frontend again from the backend
 * address the kernel reports. The entry is followed only while hedgerow_rev_nat
 * still holds the same frontend for its service id.
 */
struct hedgerow_sock_rev_nat_key {
	__u64 cookie;          /* bpf_get_socket_cookie() */
	__u8 backend_addr[16];
	__be16 backend_port;
	__u8 protocol;
	__u8 _pad[5];
};

struct hedgerow_sock_rev_nat_value {
	__u8 addr[16];  /* the frontend the application asked for */
	__be16 port;
	__u16 service_id;
	__u32 _pad;
};

#define HEDGEROW_MAX_AFFINITY 65536
#define HEDGEROW_MAX_SOCK_REV_NAT 65536 /* LRU maps are preallocated: ~7 MiB */

/*
 * Maglev lookup tables (node-level LB): hedgerow_maglev is an array of maps
 * indexed by service id; each inner map is an array of M backend ids (__u32),
 * M a prime (default 16381, the same on every node so that every node picks the
 * same backend for a flow). Only external frontends have a table. An array of
 * maps rather than one flat array of ids x M: a flat array would reserve M
 * entries for all 65536 ids (4 GiB at the default M), and a table is replaced
 * whole with one update of the outer map, so a lookup never sees half a table.
 */
#define HEDGEROW_MAGLEV_DEFAULT_SIZE 16381

/*
 * Node-level LB (bpf/uplink.bpf.c on the node's uplink) and the tc fallback on
 * endpoints (bpf/include/service_fallback.h): per-packet NAT with a table of
 * its own. A translated connection has two entries, each keyed by the tuple a
 * packet carries where it is seen, and each saying what that packet becomes:
 *
 *   backend on this node:   uplink ingress  client -> frontend  => client -> backend
 *                           uplink egress   backend -> client   => frontend -> client
 *   backend on another node uplink ingress  client -> frontend  => node:snat_port -> backend
 *   (SNAT, redirected out): uplink ingress  backend -> node:snat_port => frontend -> client
 *   fallback (pod -> VIP):  endpoint egress pod -> VIP          => pod -> backend
 *                           endpoint ingress backend -> pod     => VIP -> pod
 *
 * IPv4 only (IPv6 frontends pass the uplink untranslated). `hook` keeps the
 * lookups of the hooks apart, so a packet is only ever rewritten where its
 * entry says.
 */
enum hedgerow_nat_hook {
	HEDGEROW_NAT_HOOK_UPLINK_INGRESS = 0,
	HEDGEROW_NAT_HOOK_UPLINK_EGRESS = 1,
	HEDGEROW_NAT_HOOK_ENDPOINT_EGRESS = 2,  /* leaving a pod (from_endpoint) */
	HEDGEROW_NAT_HOOK_ENDPOINT_INGRESS = 3, /* entering a pod (to_endpoint) */
};

struct hedgerow_nat4_key {
	__be32 saddr;
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u8 protocol;
	__u8 hook;     /* enum hedgerow_nat_hook */
	__u16 _pad;
};

enum hedgerow_nat_flags {
	HEDGEROW_NAT_F_REPLY = 1u << 0,    /* the entry rewrites the reply direction */
	HEDGEROW_NAT_F_SNAT = 1u << 1,     /* backend on another node: source NAT, sent out by redirect */
	HEDGEROW_NAT_F_CLOSING = 1u << 2,  /* TCP FIN or RST seen: short lifetime */
};

struct hedgerow_nat4_entry {
	__u64 created;     /* kernel ticks (bpf_jiffies64), as conntrack */
	__u64 expires;     /* ticks: absent from then on */
	__be32 saddr;      /* what the packet's addresses and ports become */
	__be32 daddr;
	__be16 sport;
	__be16 dport;
	__u16 service_id;  /* the frontend's (rev-NAT) id */
	__u8 flags;        /* enum hedgerow_nat_flags */
	__u8 _pad;
	__u32 backend_id;
	__u32 _pad2;
};

#define HEDGEROW_MAX_NAT4 131072 /* two entries per connection; LRU, preallocated (~10 MiB) */

/* hedgerow_node_addrs (hash): the node's own addresses (IPv4-mapped or IPv6) ->
 * flags (reserved, 0). NodePort frontends answer on these. */
struct hedgerow_node_addr_key {
	__u8 addr[16];
};

#define HEDGEROW_MAX_NODE_ADDRS 64

/* hedgerow_uplink_config (array of one, written by the agent). Zero fields mean
 * the default (in parentheses). */
struct hedgerow_uplink_config {
	__u32 maglev_table_size; /* M of every table in hedgerow_maglev (HEDGEROW_MAGLEV_DEFAULT_SIZE) */
	__be32 snat_ipv4;        /* source for backends on other nodes (the node address the client named) */
	__u16 snat_port_min;     /* source ports for SNAT, host order (HEDGEROW_SNAT_PORT_MIN..MAX): */
	__u16 snat_port_max;     /* above the default ephemeral range, so the node's own sockets never collide */
	__u32 _pad;
};

#define HEDGEROW_SNAT_PORT_MIN 61000
#define HEDGEROW_SNAT_PORT_MAX 65535

/* Where a translated flow's destination service was translated (flow events:
 * hedgerow_flow_event.translation_point). */
enum hedgerow_translation_point {
	HEDGEROW_TRANSLATION_NONE = 0,
	HEDGEROW_TRANSLATION_SOCKET = 1,   /* cgroup connect/sendmsg (sock.bpf.c) */
	HEDGEROW_TRANSLATION_UPLINK = 2,   /* NodePort / external IP on the uplink */
	HEDGEROW_TRANSLATION_ENDPOINT = 3, /* tc fallback on the pod's veth */
};

/* flow.proto TraceObservationPoint values of the uplink program. */
#define HEDGEROW_OBS_FROM_NETWORK 10
#define HEDGEROW_OBS_TO_NETWORK 11

/* flow.proto DropReason values of the service programs. */
#define HEDGEROW_DROP_ERROR_WRITING_TO_PACKET 141
#define HEDGEROW_DROP_SERVICE_BACKEND_NOT_FOUND 158 /* no (local) backend, or the Maglev table misses */
#define HEDGEROW_DROP_NO_MAPPING_FOR_NAT 167        /* no free SNAT port, or no SNAT address */
#define HEDGEROW_DROP_FIB_LOOKUP_FAILED 169         /* no route to the backend or client */

#endif /* HEDGEROW_ABI_H */
