import CHedgerowABI
import HedgerowCore

/// The datapath numbers directions by hook (`enum hedgerow_direction`: egress 0, ingress 1);
/// the policy model has its own raw values, so convert by name, never by raw value.
extension TrafficDirection {
    var abi: UInt8 {
        switch self {
        case .egress: UInt8(HEDGEROW_DIR_EGRESS.rawValue)
        case .ingress: UInt8(HEDGEROW_DIR_INGRESS.rawValue)
        }
    }

    init?(abi: UInt8) {
        switch UInt32(abi) {
        case HEDGEROW_DIR_EGRESS.rawValue: self = .egress
        case HEDGEROW_DIR_INGRESS.rawValue: self = .ingress
        default: return nil
        }
    }

    /// Hubble's numbering of the same direction.
    var flowDirection: FlowTrafficDirection { self == .ingress ? .ingress : .egress }
}
