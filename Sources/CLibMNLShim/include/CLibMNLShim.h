/*
 * Small C shims over libmnl for what Swift cannot import: the mnl_attr_for_each* macros, and a
 * reply runner that reads the kernel's extended-ACK message (NETLINK_EXT_ACK) besides errno.
 * Every name carries the hedgerow_mnl_ prefix.
 */
#ifndef CLIBMNL_SHIM_H
#define CLIBMNL_SHIM_H
#include <stddef.h>
#include <stdint.h>
#include <libmnl/libmnl.h>
#include <sys/eventfd.h> /* for the Swift side: Glibc's module does not export it */

/*
 * Attribute iteration, the function form of mnl_attr_for_each(): the first valid attribute after
 * `offset` bytes of family header, then the next one, NULL when the message has no more. Invalid
 * (truncated) trailing attributes end the iteration, as in the macro.
 */
const struct nlattr *hedgerow_mnl_attr_first(const struct nlmsghdr *nlh, size_t offset);
const struct nlattr *hedgerow_mnl_attr_next(const struct nlmsghdr *nlh, const struct nlattr *attr);

/* The same for the attributes nested inside `nest` (mnl_attr_for_each_nested()). */
const struct nlattr *hedgerow_mnl_attr_nested_first(const struct nlattr *nest);
const struct nlattr *hedgerow_mnl_attr_nested_next(const struct nlattr *nest, const struct nlattr *attr);

/*
 * Runs one received buffer through mnl_cb_run2(), calling `on_data` for every data message.
 *
 * Messages whose sequence number differs from `seq` are skipped rather than treated as errors,
 * so replies left over from an abandoned request cannot poison the next one; `seq` 0 accepts
 * every message (multicast notifications carry 0). An NLMSG_DONE or ACK for `seq` stops.
 *
 * Returns MNL_CB_OK when more messages are expected, MNL_CB_STOP when the reply is complete, and
 * MNL_CB_ERROR with errno set otherwise: the kernel's error for a failed request or dump, EINTR
 * for a dump the kernel marked inconsistent (NLM_F_DUMP_INTR), or whatever `on_data` left in
 * errno when it returned MNL_CB_ERROR. When the kernel attached an extended-ACK message it is
 * copied, NUL-terminated, into `kernel_message` (which is left untouched otherwise).
 */
int hedgerow_mnl_run_reply(const void *buf, size_t len, uint32_t seq, uint32_t portid,
                           mnl_cb_t on_data, void *data,
                           char *kernel_message, size_t kernel_message_size);

#endif
