/* libbpf's print callback: format, then capture per thread and/or forward. */
#include "CLibBPFShim.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct clibbpf_log_capture {
	char *buffer;
	size_t capacity;
	size_t length;
	struct clibbpf_log_capture *outer;
};

static __thread struct clibbpf_log_capture *current_capture;

static pthread_mutex_t forward_lock = PTHREAD_MUTEX_INITIALIZER;
static clibbpf_log_forward_fn forward_fn;
static int forward_max_level = LIBBPF_WARN;

/* Appends keeping only the last `capacity` bytes: the end of a verifier log
 * names the failing instruction, so the tail is what matters. */
static void capture_append(struct clibbpf_log_capture *capture, const char *text, size_t length)
{
	if (capture->capacity == 0)
		return;
	if (length >= capture->capacity) {
		memcpy(capture->buffer, text + (length - capture->capacity), capture->capacity);
		capture->length = capture->capacity;
		return;
	}
	if (capture->length + length > capture->capacity) {
		size_t drop = capture->length + length - capture->capacity;
		memmove(capture->buffer, capture->buffer + drop, capture->length - drop);
		capture->length -= drop;
	}
	memcpy(capture->buffer + capture->length, text, length);
	capture->length += length;
}

static int shim_print(enum libbpf_print_level level, const char *format, va_list args)
{
	char small[1024];
	char *text = small;
	va_list copy;
	int needed;

	va_copy(copy, args);
	needed = vsnprintf(small, sizeof(small), format, copy);
	va_end(copy);
	if (needed < 0)
		return 0;
	/* Verifier logs arrive as one message of up to megabytes. */
	if ((size_t)needed >= sizeof(small)) {
		text = malloc((size_t)needed + 1);
		if (!text) {
			text = small;
			needed = sizeof(small) - 1;
		} else {
			vsnprintf(text, (size_t)needed + 1, format, args);
		}
	}

	struct clibbpf_log_capture *capture = current_capture;
	if (capture && level <= LIBBPF_INFO)
		capture_append(capture, text, (size_t)needed);

	pthread_mutex_lock(&forward_lock);
	clibbpf_log_forward_fn fn = forward_fn;
	int max_level = forward_max_level;
	pthread_mutex_unlock(&forward_lock);
	if (fn && (int)level <= max_level)
		fn((int)level, text);

	if (text != small)
		free(text);
	return 0;
}

void clibbpf_log_install(void)
{
	libbpf_set_print(shim_print);
}

void clibbpf_log_set_forward(clibbpf_log_forward_fn fn, int max_level)
{
	pthread_mutex_lock(&forward_lock);
	forward_fn = fn;
	forward_max_level = max_level;
	pthread_mutex_unlock(&forward_lock);
}

clibbpf_log_capture *clibbpf_log_capture_begin(size_t capacity)
{
	struct clibbpf_log_capture *capture = calloc(1, sizeof(*capture));
	if (!capture)
		return NULL;
	capture->buffer = malloc(capacity ? capacity : 1);
	if (!capture->buffer) {
		free(capture);
		return NULL;
	}
	capture->capacity = capacity;
	capture->outer = current_capture;
	current_capture = capture;
	return capture;
}

char *clibbpf_log_capture_end(clibbpf_log_capture *capture)
{
	if (!capture)
		return NULL;
	if (current_capture == capture)
		current_capture = capture->outer;
	char *text = malloc(capture->length + 1);
	if (text) {
		memcpy(text, capture->buffer, capture->length);
		text[capture->length] = '\0';
	}
	free(capture->buffer);
	free(capture);
	return text;
}
