import Foundation
import HedgerowCNI

// hedgerow-cni: a CNI 1.0.0 plugin chained after the plugin that creates the pod's interface
// (ptp, bridge, flannel). It tells the node's agent about the endpoint and passes the previous
// result on unchanged. A runtime reads errors as CNI error JSON on stdout with a non-zero exit.
let exitCode = await CNIPlugin.main(
    environment: ProcessInfo.processInfo.environment,
    stdin: FileHandle.standardInput.readDataToEndOfFile())
exit(exitCode)
