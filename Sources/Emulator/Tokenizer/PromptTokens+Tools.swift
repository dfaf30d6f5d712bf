extension PromptTokens {
    /// Renders tool definitions the way they reach the model:
    ///
    ///     namespace functions {
    ///
    ///     // Get the weather
    ///     type get_weather = (_: {
    ///     // The city
    ///     location: string,
    ///     unit?: "celsius" | "fahrenheit",
    ///     }) => any;
    ///
    ///     } // namespace functions
    public static func renderTools(_ tools: [JSONValue]) -> String {
        var lines = ["namespace functions {", ""]
        for tool in tools {
            let function = tool["function"] ?? tool
            let name = function["name"]?.stringValue ?? ""
            if let description = function["description"]?.stringValue, !description.isEmpty {
                lines.append("// " + description)
            }
            if let parameters = function["parameters"], let properties = parameters["properties"]?.objectValue,
                !properties.isEmpty
            {
                lines.append("type \(name) = (_: {")
                lines.append(renderProperties(parameters, indent: 0))
                lines.append("}) => any;")
            } else {
                lines.append("type \(name) = () => any;")
            }
            lines.append("")
        }
        lines.append("} // namespace functions")
        return lines.joined(separator: "\n")
    }

    private static func renderProperties(_ schema: JSONValue, indent: Int) -> String {
        let required = Set((schema["required"]?.arrayValue ?? []).compactMap(\.stringValue))
        var lines: [String] = []
        for (name, property) in schema["properties"]?.objectValue?.entries ?? [] {
            if let description = property["description"]?.stringValue, !description.isEmpty, indent < 2 {
                lines.append("// " + description)
            }
            let optional = required.contains(name) ? "" : "?"
            lines.append("\(name)\(optional): \(renderType(property, indent: indent)),")
        }
        let padding = String(repeating: " ", count: indent)
        return lines.map { padding + $0 }.joined(separator: "\n")
    }

    private static func renderType(_ schema: JSONValue, indent: Int) -> String {
        let values = schema["enum"]?.arrayValue
        switch schema["type"]?.stringValue {
        case "string":
            guard let values else { return "string" }
            return values.map { quoted($0.stringValue ?? "") }.joined(separator: " | ")
        case "number", "integer":
            guard let values else { return "number" }
            return values.map(numberText).joined(separator: " | ")
        case "boolean": return "boolean"
        case "null": return "null"
        case "object": return ["{", renderProperties(schema, indent: indent + 2), "}"].joined(separator: "\n")
        case "array":
            guard let items = schema["items"] else { return "any[]" }
            return renderType(items, indent: indent) + "[]"
        default: return "any"
        }
    }

    /// A JSON string literal (as `JSON.stringify` writes it, without escaping non-ASCII).
    private static func quoted(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    private static func numberText(_ value: JSONValue) -> String {
        guard let d = value.doubleValue else { return value.stringValue ?? "null" }
        if let i = value.intValue { return String(i) }
        return String(d)
    }
}
