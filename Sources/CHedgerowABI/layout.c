/* Compile-time layout checks; Tests/HedgerowDatapathTests/ABILayoutTests.swift checks the Swift view matches. */
#include <stddef.h>
#include "CHedgerowABI.h"

#define ASSERT_SIZE(type, size) _Static_assert(sizeof(struct type) == (size), #type " size")
#define ASSERT_OFFSET(type, field, offset) \
	_Static_assert(offsetof(struct type, field) == (offset), #type "." #field " offset")
#define ASSERT_ALIGNED(type) _Static_assert(sizeof(struct type) % 8 == 0, #type " is a multiple of 8 bytes")

ASSERT_SIZE(hedgerow_endpoint_key, 4);
ASSERT_SIZE(hedgerow_endpoint_info, 32);
ASSERT_OFFSET(hedgerow_endpoint_info, flags, 8);
ASSERT_OFFSET(hedgerow_endpoint_info, ipv6, 16);

ASSERT_SIZE(hedgerow_traffic, 16);
ASSERT_ALIGNED(hedgerow_traffic);

ASSERT_SIZE(hedgerow_config, 32);
ASSERT_ALIGNED(hedgerow_config);
ASSERT_OFFSET(hedgerow_config, aggregation, 8);
ASSERT_OFFSET(hedgerow_config, ticks_per_second, 12);
ASSERT_OFFSET(hedgerow_config, ct_other_lifetime_s, 28);

ASSERT_SIZE(hedgerow_clock, 24);
ASSERT_ALIGNED(hedgerow_clock);
ASSERT_OFFSET(hedgerow_clock, monotonic_ns, 8);
ASSERT_OFFSET(hedgerow_clock, ticks_per_second, 16);

ASSERT_SIZE(hedgerow_ipcache_key, 24);
ASSERT_ALIGNED(hedgerow_ipcache_key);
ASSERT_OFFSET(hedgerow_ipcache_key, addr, 4);
ASSERT_OFFSET(hedgerow_ipcache_key, _pad, 20);
ASSERT_SIZE(hedgerow_ipcache_value, 8);

ASSERT_SIZE(hedgerow_policy_key, 16);
ASSERT_ALIGNED(hedgerow_policy_key);
ASSERT_OFFSET(hedgerow_policy_key, endpoint_id, 4);
ASSERT_OFFSET(hedgerow_policy_key, identity, 8);
ASSERT_OFFSET(hedgerow_policy_key, direction, 12);
ASSERT_OFFSET(hedgerow_policy_key, protocol, 13);
ASSERT_OFFSET(hedgerow_policy_key, port, 14);
/* The static prefix is exactly endpoint_id, identity and direction. */
_Static_assert(HEDGEROW_POLICY_PREFIX_STATIC == 8 * (offsetof(struct hedgerow_policy_key, protocol) - 4), "policy static prefix");
_Static_assert(HEDGEROW_POLICY_PREFIX_FULL == 8 * (sizeof(struct hedgerow_policy_key) - 4), "policy full prefix");
ASSERT_SIZE(hedgerow_policy_value, 8);
ASSERT_OFFSET(hedgerow_policy_value, action, 4);
ASSERT_OFFSET(hedgerow_policy_value, match_bits, 5);

ASSERT_SIZE(hedgerow_ct4_key, 16);
ASSERT_ALIGNED(hedgerow_ct4_key);
ASSERT_OFFSET(hedgerow_ct4_key, remote_addr, 4);
ASSERT_OFFSET(hedgerow_ct4_key, local_port, 8);
ASSERT_OFFSET(hedgerow_ct4_key, remote_port, 10);
ASSERT_OFFSET(hedgerow_ct4_key, endpoint_id, 12);
ASSERT_OFFSET(hedgerow_ct4_key, protocol, 14);
ASSERT_SIZE(hedgerow_ct6_key, 40);
ASSERT_ALIGNED(hedgerow_ct6_key);
ASSERT_OFFSET(hedgerow_ct6_key, remote_addr, 16);
ASSERT_OFFSET(hedgerow_ct6_key, local_port, 32);
ASSERT_OFFSET(hedgerow_ct6_key, remote_port, 34);
ASSERT_OFFSET(hedgerow_ct6_key, endpoint_id, 36);
ASSERT_OFFSET(hedgerow_ct6_key, protocol, 38);
_Static_assert(HEDGEROW_MAX_ENDPOINTS - 1 <= 0xffff, "endpoint ids fit the conntrack keys");

ASSERT_SIZE(hedgerow_ct_entry, 88);
ASSERT_ALIGNED(hedgerow_ct_entry);
ASSERT_OFFSET(hedgerow_ct_entry, expires, 8);
ASSERT_OFFSET(hedgerow_ct_entry, packets_forward, 32);
ASSERT_OFFSET(hedgerow_ct_entry, policy_revision, 64);
ASSERT_OFFSET(hedgerow_ct_entry, remote_identity, 72);
ASSERT_OFFSET(hedgerow_ct_entry, rev_nat_id, 76);
ASSERT_OFFSET(hedgerow_ct_entry, tcp_flags_forward, 78);
ASSERT_OFFSET(hedgerow_ct_entry, flags, 80);
ASSERT_OFFSET(hedgerow_ct_entry, policy_match_type, 81);
ASSERT_OFFSET(hedgerow_ct_entry, direction, 82);
ASSERT_OFFSET(hedgerow_ct_entry, translation_point, 83);

ASSERT_SIZE(hedgerow_frag_key, 40);
ASSERT_ALIGNED(hedgerow_frag_key);
ASSERT_OFFSET(hedgerow_frag_key, id, 32);
ASSERT_OFFSET(hedgerow_frag_key, protocol, 36);
ASSERT_SIZE(hedgerow_frag_value, 8);

ASSERT_SIZE(hedgerow_flow_event, 104);
ASSERT_ALIGNED(hedgerow_flow_event);
ASSERT_OFFSET(hedgerow_flow_event, endpoint_id, 8);
ASSERT_OFFSET(hedgerow_flow_event, src_identity, 16);
ASSERT_OFFSET(hedgerow_flow_event, policy_cookie, 28);
ASSERT_OFFSET(hedgerow_flow_event, saddr, 32);
ASSERT_OFFSET(hedgerow_flow_event, daddr, 48);
ASSERT_OFFSET(hedgerow_flow_event, sport, 64);
ASSERT_OFFSET(hedgerow_flow_event, drop_reason, 68);
ASSERT_OFFSET(hedgerow_flow_event, verdict, 70);
ASSERT_OFFSET(hedgerow_flow_event, observation_point, 71);
ASSERT_OFFSET(hedgerow_flow_event, direction, 72);
ASSERT_OFFSET(hedgerow_flow_event, tcp_flags, 75);
ASSERT_OFFSET(hedgerow_flow_event, trace_reason, 78);
ASSERT_OFFSET(hedgerow_flow_event, flags, 80);
ASSERT_OFFSET(hedgerow_flow_event, report_reason, 81);
ASSERT_OFFSET(hedgerow_flow_event, orig_dport, 82);
ASSERT_OFFSET(hedgerow_flow_event, rev_nat_id, 84);
ASSERT_OFFSET(hedgerow_flow_event, orig_daddr, 88);

/* Drop reasons index the counters by number: they must fit the table. */
_Static_assert(HEDGEROW_DROP_POLICY_DENY < HEDGEROW_DROP_REASONS, "drop reasons fit hedgerow_drops");

/* Services */
ASSERT_SIZE(hedgerow_service_key, 24);
ASSERT_ALIGNED(hedgerow_service_key);
ASSERT_OFFSET(hedgerow_service_key, port, 16);
ASSERT_OFFSET(hedgerow_service_key, protocol, 18);
ASSERT_OFFSET(hedgerow_service_key, slot, 20);
ASSERT_SIZE(hedgerow_service_value, 16);
ASSERT_ALIGNED(hedgerow_service_value);
ASSERT_OFFSET(hedgerow_service_value, backend_count, 4);
ASSERT_OFFSET(hedgerow_service_value, service_id, 6);
ASSERT_OFFSET(hedgerow_service_value, flags, 8);
ASSERT_OFFSET(hedgerow_service_value, affinity_timeout_s, 12);
ASSERT_SIZE(hedgerow_backend, 24);
ASSERT_ALIGNED(hedgerow_backend);
ASSERT_OFFSET(hedgerow_backend, port, 16);
ASSERT_OFFSET(hedgerow_backend, protocol, 18);
ASSERT_OFFSET(hedgerow_backend, flags, 19);
ASSERT_SIZE(hedgerow_rev_nat, 24);
ASSERT_ALIGNED(hedgerow_rev_nat);
ASSERT_OFFSET(hedgerow_rev_nat, port, 16);
ASSERT_OFFSET(hedgerow_rev_nat, protocol, 18);
ASSERT_SIZE(hedgerow_affinity_key, 24);
ASSERT_ALIGNED(hedgerow_affinity_key);
ASSERT_OFFSET(hedgerow_affinity_key, service_id, 16);
ASSERT_OFFSET(hedgerow_affinity_key, client_kind, 18);
ASSERT_SIZE(hedgerow_affinity_value, 16);
ASSERT_ALIGNED(hedgerow_affinity_value);
ASSERT_OFFSET(hedgerow_affinity_value, backend_id, 8);
ASSERT_SIZE(hedgerow_affinity_match_key, 8);
ASSERT_ALIGNED(hedgerow_affinity_match_key);
ASSERT_OFFSET(hedgerow_affinity_match_key, service_id, 4);
ASSERT_SIZE(hedgerow_sock_rev_nat_key, 32);
ASSERT_ALIGNED(hedgerow_sock_rev_nat_key);
ASSERT_OFFSET(hedgerow_sock_rev_nat_key, backend_addr, 8);
ASSERT_OFFSET(hedgerow_sock_rev_nat_key, backend_port, 24);
ASSERT_OFFSET(hedgerow_sock_rev_nat_key, protocol, 26);
ASSERT_SIZE(hedgerow_sock_rev_nat_value, 24);
ASSERT_ALIGNED(hedgerow_sock_rev_nat_value);
ASSERT_OFFSET(hedgerow_sock_rev_nat_value, port, 16);
ASSERT_OFFSET(hedgerow_sock_rev_nat_value, service_id, 18);
/* Service ids are 16 bits and index the rev-NAT and Maglev maps. */
_Static_assert(HEDGEROW_MAX_SERVICE_IDS == 1 << 16, "service ids are 16 bits");

/* Per-packet service NAT (uplink, endpoint fallback) and flow translation */
ASSERT_OFFSET(hedgerow_flow_event, translation_point, 86);
ASSERT_SIZE(hedgerow_nat4_key, 16);
ASSERT_ALIGNED(hedgerow_nat4_key);
ASSERT_OFFSET(hedgerow_nat4_key, sport, 8);
ASSERT_OFFSET(hedgerow_nat4_key, protocol, 12);
ASSERT_OFFSET(hedgerow_nat4_key, hook, 13);
ASSERT_SIZE(hedgerow_nat4_entry, 40);
ASSERT_ALIGNED(hedgerow_nat4_entry);
ASSERT_OFFSET(hedgerow_nat4_entry, saddr, 16);
ASSERT_OFFSET(hedgerow_nat4_entry, sport, 24);
ASSERT_OFFSET(hedgerow_nat4_entry, service_id, 28);
ASSERT_OFFSET(hedgerow_nat4_entry, flags, 30);
ASSERT_OFFSET(hedgerow_nat4_entry, backend_id, 32);
ASSERT_SIZE(hedgerow_node_addr_key, 16);
ASSERT_SIZE(hedgerow_uplink_config, 16);
ASSERT_ALIGNED(hedgerow_uplink_config);
ASSERT_OFFSET(hedgerow_uplink_config, snat_ipv4, 4);
ASSERT_OFFSET(hedgerow_uplink_config, snat_port_min, 8);
ASSERT_OFFSET(hedgerow_uplink_config, snat_port_max, 10);
/* The service programs' drop reasons index the counters too. */
_Static_assert(HEDGEROW_DROP_FIB_LOOKUP_FAILED < HEDGEROW_DROP_REASONS, "service drop reasons fit hedgerow_drops");
