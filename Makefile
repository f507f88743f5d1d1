# Hedgerow build. `make` builds BPF objects and Swift; `make test` runs every test layer.
SHELL        := /bin/bash
SWIFT        ?= swift
CLANG        ?= clang
CONFIG       ?= debug
BUILD        := .build
BPF_OUT      := $(BUILD)/bpf
BIN          := $(BUILD)/$(CONFIG)
TRIPLE       := $(shell gcc -dumpmachine 2>/dev/null || echo x86_64-linux-gnu)
BPF_ARCH     := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
BPF_CFLAGS   := -target bpf -O2 -g -Wall -Wextra -Werror -D__TARGET_ARCH_$(BPF_ARCH) \
                -Ibpf/include -I/usr/include/$(TRIPLE)
BPF_HEADERS  := $(wildcard bpf/include/*.h)
BPF_OBJS     := $(patsubst bpf/%.bpf.c,$(BPF_OUT)/%.bpf.o,$(wildcard bpf/*.bpf.c))
# Programs that tests load on purpose: one the verifier must reject, a pass-through baseline,
# a ring-buffer writer and a per-interface counter (HedgerowBPF is tested without Hedgerow's own ABI).
BPF_TEST_OBJS := $(patsubst bpf/tests/%.bpf.c,$(BPF_OUT)/tests/%.bpf.o,$(wildcard bpf/tests/*.bpf.c))
TEST_ENV     := HEDGEROW_BPF_DIR=$(abspath $(BPF_OUT)) HEDGEROW_BIN_DIR=$(abspath $(BIN))

.PHONY: all deps mounts bpf swift build test demo bench release proto clean

all: build

deps:
	@scripts/deps.sh

mounts:
	@scripts/mounts.sh

bpf: $(BPF_OBJS) $(BPF_TEST_OBJS)

$(BPF_OUT)/%.bpf.o: bpf/%.bpf.c $(BPF_HEADERS)
	@mkdir -p $(dir $@)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

swift:
	$(SWIFT) build -c $(CONFIG) --build-tests

build: bpf swift

# --no-parallel: lab tests block a thread of Swift's cooperative pool (one per core) for
# seconds at a time; side by side on 2 cores they starve in-process servers of other tests.
test: deps mounts build
	$(TEST_ENV) $(SWIFT) test -c $(CONFIG) --skip-build --no-parallel

demo: deps mounts build
	$(TEST_ENV) scripts/demo.sh

# The shipped binaries (deploy/Dockerfile): the Swift runtime linked in statically; not
# position-independent and without exported symbols, since nothing is loaded into them: the
# loader then neither applies 3.6 MB of relocations nor pages in the dynamic symbol table
# (the agent's RSS with 3 endpoints drops from 47.5 to 38.0 MB). One product per build:
# `swift build` takes a single --product.
RELEASE_FLAGS := --static-swift-stdlib -Xlinker -no-pie -Xlinker --no-export-dynamic
RELEASE_PRODUCTS := hagent hedgerow-cni hflow hpolicy
release: bpf
	for product in $(RELEASE_PRODUCTS); do $(SWIFT) build -c release $(RELEASE_FLAGS) --product $$product || exit 1; done

# Benchmarks run release builds of their own executables (no test targets).
bench: deps mounts bpf
	$(SWIFT) build -c release $(RELEASE_FLAGS)
	HEDGEROW_BPF_DIR=$(abspath $(BPF_OUT)) scripts/bench.sh

# Regenerates Sources/HedgerowAPI/Generated from proto/ (the output is committed).
PROTO_TOOLS := $(BUILD)-proto
proto:
	$(SWIFT) build --package-path tools/protoc-plugins --scratch-path $(PROTO_TOOLS) \
		--product protoc-gen-swift
	$(SWIFT) build --package-path tools/protoc-plugins --scratch-path $(PROTO_TOOLS) \
		--product protoc-gen-grpc-swift-2
	scripts/proto.sh $(PROTO_TOOLS)/debug

clean:
	rm -rf $(BUILD)
