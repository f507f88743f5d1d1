#!/usr/bin/env bash
# Regenerates the Swift code for proto/ into Sources/HedgerowAPI/Generated (committed).
# Usage: scripts/proto.sh DIR_WITH_PROTOC_PLUGINS
set -euo pipefail
plugins=$(cd "$1" && pwd)
out=Sources/HedgerowAPI/Generated
mkdir -p "$out"
rm -f "$out"/*.swift
mapfile -t protos < <(cd proto && find . -name '*.proto' | sed 's|^\./||' | sort)
(cd proto && protoc \
  --plugin=protoc-gen-swift="$plugins/protoc-gen-swift" \
  --plugin=protoc-gen-grpc-swift-2="$plugins/protoc-gen-grpc-swift-2" \
  --swift_opt=Visibility=Public,FileNaming=PathToUnderscores \
  --swift_out="../$out" \
  --grpc-swift-2_opt=Visibility=Public,FileNaming=PathToUnderscores,Server=true,Client=true \
  --grpc-swift-2_out="../$out" \
  "${protos[@]}")
echo "generated $(ls "$out" | wc -l) files in $out"
