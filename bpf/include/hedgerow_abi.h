/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The one description of every value that crosses the kernel/user boundary:
 * map keys and values, event records, enums. BPF programs include it directly;
 * Swift imports it through the CHedgerowABI target, and a test checks that the
 * Swift view has the sizes and offsets asserted below. Never copy a layout.
 *
 * Rules: fixed-width types only, explicit padding, no bitfields, every struct a
 * multiple of 8 bytes where it holds a __u64.
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

/* hedgerow_endpoints: host-side veth ifindex -> endpoint. */
struct hedgerow_endpoint_key {
	__u32 ifindex;
};

enum hedgerow_endpoint_flags {
	HEDGEROW_EP_F_ACTIVE = 1u << 0,
};

struct hedgerow_endpoint_info {
	__u32 endpoint_id; /* 1..HEDGEROW_MAX_ENDPOINTS-1, 0 is never used */
	__u32 identity;    /* security identity; 0 until policy assigns one */
	__u32 flags;       /* enum hedgerow_endpoint_flags */
	__u32 ipv4;        /* network byte order, 0 when none */
	__u8 ipv6[16];     /* all zero when none */
};

/* hedgerow_traffic: per-CPU array, index = endpoint_id * HEDGEROW_DIR_COUNT + direction. */
struct hedgerow_traffic {
	__u64 packets;
	__u64 bytes;
};

/* A plain number so that Swift imports it; the assert keeps it honest. */
#define HEDGEROW_TRAFFIC_SLOTS 131072
_Static_assert(HEDGEROW_TRAFFIC_SLOTS == HEDGEROW_MAX_ENDPOINTS * HEDGEROW_DIR_COUNT, "traffic slots");

#endif /* HEDGEROW_ABI_H */
