#include "CLibMNLShim.h"

#include <errno.h>
#include <string.h>
#include <linux/netlink.h>

const struct nlattr *hedgerow_mnl_attr_first(const struct nlmsghdr *nlh, size_t offset)
{
	const struct nlattr *attr = mnl_nlmsg_get_payload_offset(nlh, offset);
	const char *tail = mnl_nlmsg_get_payload_tail(nlh);
	return mnl_attr_ok(attr, tail - (const char *)attr) ? attr : NULL;
}

const struct nlattr *hedgerow_mnl_attr_next(const struct nlmsghdr *nlh, const struct nlattr *attr)
{
	const struct nlattr *next = mnl_attr_next(attr);
	const char *tail = mnl_nlmsg_get_payload_tail(nlh);
	return mnl_attr_ok(next, tail - (const char *)next) ? next : NULL;
}

const struct nlattr *hedgerow_mnl_attr_nested_first(const struct nlattr *nest)
{
	const struct nlattr *attr = mnl_attr_get_payload(nest);
	const char *end = (const char *)mnl_attr_get_payload(nest) + mnl_attr_get_payload_len(nest);
	return mnl_attr_ok(attr, end - (const char *)attr) ? attr : NULL;
}

const struct nlattr *hedgerow_mnl_attr_nested_next(const struct nlattr *nest, const struct nlattr *attr)
{
	const struct nlattr *next = mnl_attr_next(attr);
	const char *end = (const char *)mnl_attr_get_payload(nest) + mnl_attr_get_payload_len(nest);
	return mnl_attr_ok(next, end - (const char *)next) ? next : NULL;
}

struct run_context {
	uint32_t seq;
	mnl_cb_t on_data;
	void *data;
	char *kernel_message;
	size_t kernel_message_size;
};

static int is_stale(const struct run_context *ctx, const struct nlmsghdr *nlh)
{
	return ctx->seq != 0 && nlh->nlmsg_seq != ctx->seq;
}

/* Copies NLMSGERR_ATTR_MSG from the TLVs that follow the error payload, when there are any. */
static void copy_extended_ack(const struct nlmsghdr *nlh, size_t tlv_offset, struct run_context *ctx)
{
	const struct nlattr *attr;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || ctx->kernel_message == NULL || ctx->kernel_message_size == 0)
		return;
	mnl_attr_for_each(attr, nlh, tlv_offset) {
		if (mnl_attr_get_type(attr) != NLMSGERR_ATTR_MSG)
			continue;
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			return;
		strncpy(ctx->kernel_message, mnl_attr_get_str(attr), ctx->kernel_message_size - 1);
		ctx->kernel_message[ctx->kernel_message_size - 1] = '\0';
		return;
	}
}

static int on_data_message(const struct nlmsghdr *nlh, void *data)
{
	struct run_context *ctx = data;
	if (is_stale(ctx, nlh) || ctx->on_data == NULL)
		return MNL_CB_OK;
	return ctx->on_data(nlh, ctx->data);
}

static int on_noop(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

/* NLMSG_ERROR: error 0 is the ACK that completes a request, anything else fails it. */
static int on_error_message(const struct nlmsghdr *nlh, void *data)
{
	struct run_context *ctx = data;
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	size_t tlv_offset = sizeof(*err);

	if (is_stale(ctx, nlh))
		return MNL_CB_OK;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (err->error == 0)
		return MNL_CB_STOP;
	/* Without NETLINK_CAP_ACK the kernel echoes the whole request before the TLVs. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && err->msg.nlmsg_len > sizeof(struct nlmsghdr))
		tlv_offset += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	copy_extended_ack(nlh, tlv_offset, ctx);
	errno = err->error < 0 ? -err->error : err->error;
	return MNL_CB_ERROR;
}

/* NLMSG_DONE ends a dump; its payload is the dump's result, negative when the dump failed. */
static int on_done_message(const struct nlmsghdr *nlh, void *data)
{
	struct run_context *ctx = data;
	int result = 0;

	if (is_stale(ctx, nlh))
		return MNL_CB_OK;
	if (mnl_nlmsg_get_payload_len(nlh) >= sizeof(int))
		memcpy(&result, mnl_nlmsg_get_payload(nlh), sizeof(int));
	if (result < 0) {
		copy_extended_ack(nlh, sizeof(int), ctx);
		errno = -result;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

int hedgerow_mnl_run_reply(const void *buf, size_t len, uint32_t seq, uint32_t portid,
                           mnl_cb_t on_data, void *data,
                           char *kernel_message, size_t kernel_message_size)
{
	struct run_context ctx = {
		.seq = seq,
		.on_data = on_data,
		.data = data,
		.kernel_message = kernel_message,
		.kernel_message_size = kernel_message_size,
	};
	/* Every control type below NLMSG_MIN_TYPE is routed through this table by mnl_cb_run2(). */
	mnl_cb_t control[NLMSG_MIN_TYPE] = {
		[NLMSG_NOOP] = on_noop,
		[NLMSG_ERROR] = on_error_message,
		[NLMSG_DONE] = on_done_message,
		[NLMSG_OVERRUN] = on_noop,
	};
	/* Sequence checking is ours (is_stale), so libmnl gets seq 0. */
	return mnl_cb_run2(buf, len, 0, portid, on_data_message, &ctx, control, NLMSG_MIN_TYPE);
}
