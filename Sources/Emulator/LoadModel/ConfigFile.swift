import Yams

/// Reads configuration files written in YAML (or JSON, which is YAML too) into `JSONValue`.
public enum ConfigFile {
    /// - Throws: `ConfigurationError` when the file cannot be read or parsed.
    public static func load(_ path: String) throws -> JSONValue {
        guard let bytes = FileReader.read(path) else { throw ConfigurationError.unreadable(path) }
        return try parse(String(decoding: bytes, as: UTF8.self), name: path)
    }

    public static func parse(_ text: String, name: String = "config") throws -> JSONValue {
        do {
            guard let node = try Yams.compose(yaml: text) else { return .object(JSONObject()) }
            return value(node)
        } catch {
            throw ConfigurationError.invalid(name, "\(error)")
        }
    }

    static func value(_ node: Node) -> JSONValue {
        switch node {
        case .scalar(let scalar):
            if scalar.style != .plain { return .string(scalar.string) }
            let s = scalar.string
            switch s {
            case "null", "~", "": return .null
            case "true", "True", "TRUE", "yes": return .bool(true)
            case "false", "False", "FALSE", "no": return .bool(false)
            default:
                if let i = Int(s) { return .number(Double(i)) }
                if let d = Double(s), d.isFinite { return .number(d) }
                return .string(s)
            }
        case .mapping(let mapping):
            return .object(JSONObject(mapping.map { (key: $0.key.string ?? "\($0.key)", value: value($0.value)) }))
        case .sequence(let sequence):
            return .array(sequence.map(value))
        case .alias:
            return .null
        }
    }
}
