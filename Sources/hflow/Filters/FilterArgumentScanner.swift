/// One filter flag as given on the command line.
struct FilterArgument: Hashable {
    var name: String
    var value: String
    var negated: Bool
}

/// Reads the filter flags out of the raw arguments, in order, attaching `--not` to the flag that
/// follows it. ArgumentParser has already rejected unknown flags and missing values; this only
/// needs to know which flags are filters and which other options take a value (to skip it).
enum FilterArgumentScanner {
    /// Filter flags and whether they take a value.
    static let filterFlags: [String: Bool] = [
        "pod": true, "from-pod": true, "to-pod": true,
        "namespace": true, "from-namespace": true, "to-namespace": true,
        "all-namespaces": false, "from-all-namespaces": false, "to-all-namespaces": false,
        "label": true, "from-label": true, "to-label": true,
        "ip": true, "from-ip": true, "to-ip": true,
        "port": true, "from-port": true, "to-port": true,
        "identity": true, "from-identity": true, "to-identity": true,
        "service": true, "from-service": true, "to-service": true,
        "protocol": true, "verdict": true, "tcp-flags": true, "type": true,
        "traffic-direction": true, "node-name": true, "uuid": true,
    ]
    static let filterShorts: [Character: String] = ["n": "namespace", "A": "all-namespaces", "l": "label", "t": "type"]

    /// Options that are not filters but take a value.
    static let valueOptions: Set<String> = [
        "last", "first", "since", "until", "output", "time-format", "color", "server",
        "tls-ca-cert-files", "tls-client-cert-file", "tls-client-key-file",
    ]
    static let valueShorts: Set<Character> = ["o"]

    static func scan(_ arguments: [String]) throws(UsageError) -> [FilterArgument] {
        var result: [FilterArgument] = []
        var negate = false
        var index = 0

        func add(_ name: String, _ value: String) {
            result.append(FilterArgument(name: name, value: value, negated: negate))
            negate = false
        }

        while index < arguments.count {
            let argument = arguments[index]
            index += 1
            if argument == "--" { break }
            if argument.hasPrefix("--") {
                let body = argument.dropFirst(2)
                let name = String(body.prefix { $0 != "=" })
                let inline = body.contains("=") ? String(body.drop { $0 != "=" }.dropFirst()) : nil
                if name == "not" {
                    if negate { throw UsageError("consecutive --not statements") }
                    negate = true
                } else if let takesValue = filterFlags[name] {
                    var value = ""
                    if takesValue {
                        if let inline { value = inline } else if index < arguments.count {
                            value = arguments[index]
                            index += 1
                        }
                    }
                    add(name, value)
                } else {
                    if negate { throw UsageError("--not must be followed by a filter flag, not --\(name)") }
                    if valueOptions.contains(name) && inline == nil { index += 1 }
                }
            } else if argument.hasPrefix("-") && argument.count > 1 {
                var characters = Substring(argument.dropFirst())
                while let character = characters.first {
                    characters = characters.dropFirst()
                    if let name = filterShorts[character] {
                        if filterFlags[name] == true {
                            var value = String(characters.hasPrefix("=") ? characters.dropFirst() : characters)
                            if value.isEmpty && index < arguments.count {
                                value = arguments[index]
                                index += 1
                            }
                            add(name, value)
                            break
                        }
                        add(name, "")
                    } else {
                        if negate { throw UsageError("--not must be followed by a filter flag, not -\(character)") }
                        if valueShorts.contains(character) {
                            if characters.isEmpty { index += 1 }
                            break
                        }
                    }
                }
            }
        }
        if negate { throw UsageError("trailing --not found in the arguments") }
        return result
    }
}
