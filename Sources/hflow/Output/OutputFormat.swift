import ArgumentParser

/// `-o`: how flows are printed. `json` is Hubble's alias for `jsonpb`; `tab` for `table`.
enum OutputFormat: String, CaseIterable, ExpressibleByArgument {
    case compact, dict, json, jsonpb, table, tab

    var isJSON: Bool { self == .json || self == .jsonpb }
    var isTable: Bool { self == .table || self == .tab }
}

/// `--color`.
enum ColorMode: String, CaseIterable, ExpressibleByArgument {
    case auto, always, never
}

/// ANSI colours as Hubble uses them: hosts cyan, identities magenta, FORWARDED green, DROPPED
/// and ERROR red, AUDIT yellow.
struct Colorizer {
    let enabled: Bool

    /// `auto` colours only a terminal, and honours NO_COLOR and TERM=dumb.
    init(mode: ColorMode, isTerminal: Bool, environment: [String: String]) {
        switch mode {
        case .always: enabled = true
        case .never: enabled = false
        case .auto: enabled = isTerminal && environment["NO_COLOR"] == nil && environment["TERM"] != "dumb"
        }
    }

    init(enabled: Bool) { self.enabled = enabled }

    func host(_ text: String) -> String { paint(text, 36) }
    func identity(_ text: String) -> String { paint(text, 35) }
    func green(_ text: String) -> String { paint(text, 32) }
    func red(_ text: String) -> String { paint(text, 31) }
    func yellow(_ text: String) -> String { paint(text, 33) }
    func blue(_ text: String) -> String { paint(text, 34) }

    private func paint(_ text: String, _ code: Int) -> String {
        enabled ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
