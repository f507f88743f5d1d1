/* epoll + eventfd plumbing for the ring buffer thread (Glibc's Swift module lacks them). */
#include "CLibBPFShim.h"

#include <errno.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

static int watch(int epoll_fd, int fd)
{
	struct epoll_event event = { .events = EPOLLIN, .data.fd = fd };
	return epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event);
}

int clibbpf_waiter_create(int watched_fd, int *wake_fd)
{
	int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	if (epoll_fd < 0)
		return -errno;
	int wake = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (wake < 0 || watch(epoll_fd, watched_fd) < 0 || watch(epoll_fd, wake) < 0) {
		int err = -errno;
		if (wake >= 0)
			close(wake);
		close(epoll_fd);
		return err;
	}
	*wake_fd = wake;
	return epoll_fd;
}

int clibbpf_waiter_wait(int epoll_fd, int timeout_ms)
{
	struct epoll_event events[2];
	int ready = epoll_wait(epoll_fd, events, 2, timeout_ms);
	return ready < 0 ? -errno : ready;
}

int clibbpf_waiter_wake(int wake_fd)
{
	uint64_t one = 1;
	return write(wake_fd, &one, sizeof(one)) < 0 ? -errno : 0;
}
