import Foundation

/// The spec's error codes. 0-99 are reserved for well-known errors; 100 and up are free for
/// plugins (Go plugins use 999 for untyped errors).
public enum CNIErrorCode: Hashable, Sendable, CustomStringConvertible {
    /// 1: the configuration's cniVersion is not supported.
    case incompatibleCNIVersion
    /// 2: a field of the network configuration is not supported.
    case unsupportedField
    /// 3: the container is unknown or does not exist (the runtime need not clean up).
    case unknownContainer
    /// 4: a required environment variable (CNI_COMMAND, CNI_CONTAINERID, ...) is missing or invalid.
    case invalidEnvironmentVariables
    /// 5: an I/O failure, e.g. reading stdin.
    case ioFailure
    /// 6: content (configuration, result) could not be decoded.
    case decodingFailure
    /// 7: the network configuration is invalid.
    case invalidNetworkConfig
    /// 11: a transient condition; the runtime should retry.
    case tryAgainLater
    /// Any other code.
    case other(Int)

    public init(rawValue: Int) {
        switch rawValue {
        case 1: self = .incompatibleCNIVersion
        case 2: self = .unsupportedField
        case 3: self = .unknownContainer
        case 4: self = .invalidEnvironmentVariables
        case 5: self = .ioFailure
        case 6: self = .decodingFailure
        case 7: self = .invalidNetworkConfig
        case 11: self = .tryAgainLater
        default: self = .other(rawValue)
        }
    }

    public var rawValue: Int {
        switch self {
        case .incompatibleCNIVersion: 1
        case .unsupportedField: 2
        case .unknownContainer: 3
        case .invalidEnvironmentVariables: 4
        case .ioFailure: 5
        case .decodingFailure: 6
        case .invalidNetworkConfig: 7
        case .tryAgainLater: 11
        case .other(let code): code
        }
    }

    public var description: String { String(rawValue) }
}

/// A CNI error: what a plugin prints on stdout (and exits non-zero) when it fails.
///
///     {"cniVersion": "1.0.0", "code": 4, "msg": "required env variables [CNI_NETNS] missing"}
public struct CNIError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The version of the spec the output follows; plugins set it to the request's version.
    public var cniVersion: String?
    public var code: CNIErrorCode
    /// A short message (`msg`).
    public var message: String
    /// A longer explanation (`details`).
    public var details: String?

    public init(_ code: CNIErrorCode, _ message: String, details: String? = nil, cniVersion: String? = nil) {
        self.code = code
        self.message = message
        self.details = details
        self.cniVersion = cniVersion
    }

    public var description: String {
        "CNI error \(code.rawValue): \(message)" + (details.map { " (\($0))" } ?? "")
    }

    /// The error's JSON object; `details` and `cniVersion` only when set.
    public var json: JSONValue {
        var object: [String: JSONValue] = ["code": .integer(code.rawValue), "msg": .string(message)]
        if let details { object["details"] = .string(details) }
        if let cniVersion { object["cniVersion"] = .string(cniVersion) }
        return .object(object)
    }

    /// Reads a plugin's error output (runtime side).
    public init(json: JSONValue) throws(CNIError) {
        let reader = try JSONObjectReader(json, path: "", code: .decodingFailure)
        guard let code = try reader.integer("code") else {
            throw CNIError(.decodingFailure, "error output has no code")
        }
        self.init(
            CNIErrorCode(rawValue: code), try reader.string("msg") ?? "", details: try reader.string("details"),
            cniVersion: try reader.string("cniVersion"))
    }
}
