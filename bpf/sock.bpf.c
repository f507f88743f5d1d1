// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Socket-level service load balancing: cgroup sock_addr programs that rewrite the
 * address a process names, so its packets go straight to a backend and no packet
 * ever carries the VIP (no per-packet NAT, no conntrack).
 *
 *   connect4/6:     TCP connect() and UDP connect() to VIP:port -> a backend
 *   sendmsg4/6:     UDP sendto() to VIP:port -> a backend
 *   recvmsg4/6:     UDP recvfrom() from the backend -> reported as VIP:port
 *   getpeername4/6: getpeername() of a translated socket -> VIP:port
 *
 * Backends are chosen at random (bpf_get_prandom_u32), or by ClientIP affinity,
 * the client being its network namespace (see hedgerow_affinity_key). A frontend
 * without backends fails connect() and sendmsg() with ECONNREFUSED at once
 * (bpf_set_retval; returning 0 alone would make it EPERM), so clients fail fast
 * instead of waiting on a VIP that nothing answers.
 *
 * Reverse translation uses a per-socket record (hedgerow_sock_rev_nat: socket
 * cookie and backend -> frontend), written at translation, because one UDP
 * socket may talk to several services and a datagram carries only the backend.
 *
 * IPv6 sockets: IPv6 frontends, and IPv4 frontends named as IPv4-mapped addresses
 * (::ffff:a.b.c.d) on dual-stack sockets, both in the one service map.
 */
#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/errno.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "hedgerow_abi.h"
#include "service_maps.h"
#include "service_lookup.h"

#define SYS_REJECT 0
#define SYS_PROCEED 1

static __always_inline void ctx_addr(const struct bpf_sock_addr *ctx, int v6, __u8 addr[16])
{
	__u32 *words = (__u32 *)addr;

	if (!v6) {
		addr_from_v4(addr, ctx->user_ip4);
		return;
	}
	/* The context allows only 4-byte accesses to user_ip6. */
	words[0] = ctx->user_ip6[0];
	words[1] = ctx->user_ip6[1];
	words[2] = ctx->user_ip6[2];
	words[3] = ctx->user_ip6[3];
}

static __always_inline void set_ctx_addr(struct bpf_sock_addr *ctx, int v6, const __u8 addr[16], __be16 port)
{
	const __u32 *words = (const __u32 *)addr;

	if (!v6) {
		ctx->user_ip4 = words[3];
	} else {
		ctx->user_ip6[0] = words[0];
		ctx->user_ip6[1] = words[1];
		ctx->user_ip6[2] = words[2];
		ctx->user_ip6[3] = words[3];
	}
	ctx->user_port = port; /* network byte order in the low 16 bits */
}

/* Records which frontend this socket meant when it reaches `backend`. */
static __always_inline void remember_frontend(struct bpf_sock_addr *ctx, const struct hedgerow_service_key *frontend,
					      const struct hedgerow_backend *backend, __u16 service_id)
{
	struct hedgerow_sock_rev_nat_key key = {};
	struct hedgerow_sock_rev_nat_value value = {};

	key.cookie = bpf_get_socket_cookie(ctx);
	__builtin_memcpy(key.backend_addr, backend->addr, sizeof(key.backend_addr));
	key.backend_port = backend->port;
	key.protocol = frontend->protocol;
	__builtin_memcpy(value.addr, frontend->addr, sizeof(value.addr));
	value.port = frontend->port;
	value.service_id = service_id;
	bpf_map_update_elem(&hedgerow_sock_rev_nat, &key, &value, BPF_ANY);
}

static __always_inline int reject(void)
{
	bpf_set_retval(-ECONNREFUSED);
	return SYS_REJECT;
}

/* connect() and sendmsg(): VIP:port -> backend. */
static __always_inline int translate_to_backend(struct bpf_sock_addr *ctx, int v6)
{
	struct hedgerow_service_key key = {};
	struct hedgerow_affinity_key client = {};
	struct hedgerow_backend backend;
	const struct hedgerow_service_value *frontend;
	__u64 netns;

	ctx_addr(ctx, v6, key.addr);
	key.port = (__be16)ctx->user_port;
	key.protocol = (__u8)ctx->protocol;
	frontend = service_frontend(&key);
	if (!frontend)
		return SYS_PROCEED;

	netns = bpf_get_netns_cookie(ctx);
	__builtin_memcpy(client.client, &netns, sizeof(netns));
	client.client_kind = HEDGEROW_AFFINITY_CLIENT_NETNS;
	if (service_choose(&key, frontend, &client, &backend) != SERVICE_TRANSLATED)
		return reject();
	/* An IPv4 socket can only reach an IPv4 backend (the model never mixes them). */
	if (!v6 && !addr_is_v4_mapped(backend.addr))
		return reject();

	key.slot = 0;
	remember_frontend(ctx, &key, &backend, client.service_id);
	set_ctx_addr(ctx, v6, backend.addr, backend.port);
	return SYS_PROCEED;
}

/* recvmsg() and getpeername(): backend -> the VIP:port the socket asked for. */
static __always_inline int translate_to_frontend(struct bpf_sock_addr *ctx, int v6, __u8 protocol)
{
	struct hedgerow_sock_rev_nat_key key = {};
	const struct hedgerow_sock_rev_nat_value *frontend;

	key.cookie = bpf_get_socket_cookie(ctx);
	ctx_addr(ctx, v6, key.backend_addr);
	key.backend_port = (__be16)ctx->user_port;
	key.protocol = protocol;
	frontend = bpf_map_lookup_elem(&hedgerow_sock_rev_nat, &key);
	if (!frontend || !rev_nat_current(frontend, protocol))
		return SYS_PROCEED;
	if (!v6 && !addr_is_v4_mapped(frontend->addr))
		return SYS_PROCEED;
	set_ctx_addr(ctx, v6, frontend->addr, frontend->port);
	return SYS_PROCEED;
}

SEC("cgroup/connect4")
int sock_connect4(struct bpf_sock_addr *ctx)
{
	return translate_to_backend(ctx, 0);
}

SEC("cgroup/sendmsg4")
int sock_sendmsg4(struct bpf_sock_addr *ctx)
{
	return translate_to_backend(ctx, 0);
}

SEC("cgroup/recvmsg4")
int sock_recvmsg4(struct bpf_sock_addr *ctx)
{
	return translate_to_frontend(ctx, 0, IPPROTO_UDP);
}

SEC("cgroup/getpeername4")
int sock_getpeername4(struct bpf_sock_addr *ctx)
{
	return translate_to_frontend(ctx, 0, (__u8)ctx->protocol);
}

SEC("cgroup/connect6")
int sock_connect6(struct bpf_sock_addr *ctx)
{
	return translate_to_backend(ctx, 1);
}

SEC("cgroup/sendmsg6")
int sock_sendmsg6(struct bpf_sock_addr *ctx)
{
	return translate_to_backend(ctx, 1);
}

SEC("cgroup/recvmsg6")
int sock_recvmsg6(struct bpf_sock_addr *ctx)
{
	return translate_to_frontend(ctx, 1, IPPROTO_UDP);
}

SEC("cgroup/getpeername6")
int sock_getpeername6(struct bpf_sock_addr *ctx)
{
	return translate_to_frontend(ctx, 1, (__u8)ctx->protocol);
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
