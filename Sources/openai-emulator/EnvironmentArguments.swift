import Emulator

#if canImport(Glibc)
import Glibc
#endif

/// Turns `EMULATOR_*` environment variables into command-line arguments for options the command
/// line does not already give, so flags win over the environment.
enum EnvironmentArguments {
    struct Spec {
        var option: String
        var variable: String
        var isFlag: Bool
        var list: Bool

        init(_ option: String, variable: String? = nil, isFlag: Bool = false, list: Bool = false) {
            self.option = option
            self.variable = variable ?? "EMULATOR_" + option.uppercased().replacingHyphens()
            self.isFlag = isFlag
            self.list = list
        }
    }

    /// Adds options from the config file's top-level keys (`port: 8383`, `api_key: [a, b]`,
    /// `fixtures: /config/fixtures.yaml`) for options given neither as flags nor in the environment.
    static func mergeConfigFile(arguments: [String], specs: [Spec], load: (String) throws -> JSONValue) throws -> [String] {
        guard let i = arguments.firstIndex(where: { $0 == "--config" || $0.hasPrefix("--config=") }) else { return arguments }
        let path = arguments[i].hasPrefix("--config=") ? String(arguments[i].dropFirst(9))
            : (i + 1 < arguments.count ? arguments[i + 1] : "")
        guard !path.isEmpty else { return arguments }
        let file = try load(path)
        var out = arguments
        let given = Set(arguments.compactMap { a -> String? in
            a.hasPrefix("--") ? String(a.dropFirst(2).prefix { $0 != "=" }) : nil
        })
        var seen = Set<String>()
        for spec in specs where !given.contains(spec.option) && !seen.contains(spec.option) {
            let key = spec.option.replacingHyphens()
            guard let value = file[key] ?? file[spec.option] ?? (spec.list ? file[key + "s"] : nil) else { continue }
            seen.insert(spec.option)
            let items = value.arrayValue ?? [value]
            for item in items {
                if spec.isFlag {
                    if item.boolValue == true { out.append("--" + spec.option) }
                } else if !item.isNull {
                    out.append("--" + spec.option)
                    out.append(item.stringValue ?? item.doubleValue.map { $0.rounded() == $0 ? String(Int64($0)) : String($0) } ?? item.jsonString)
                }
                if !spec.list { break }
            }
        }
        return out
    }

    static func current() -> [String: String] {
        var out: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            let s = String(cString: entry)
            if let eq = s.firstIndex(of: "=") { out[String(s[..<eq])] = String(s[s.index(after: eq)...]) }
            p += 1
        }
        return out
    }

    static func merge(arguments: [String], environment: [String: String], specs: [Spec]) -> [String] {
        var out = arguments
        let given = Set(arguments.compactMap { a -> String? in
            guard a.hasPrefix("--") else { return nil }
            return String(a.dropFirst(2).prefix { $0 != "=" })
        })
        for spec in specs where !given.contains(spec.option) {
            guard let value = environment[spec.variable], !value.isEmpty else { continue }
            if spec.isFlag {
                if ["1", "true", "yes", "on"].contains(value.lowercased()) { out.append("--" + spec.option) }
            } else if spec.list {
                for item in value.split(separator: ",") where !item.isEmpty {
                    out.append("--" + spec.option)
                    out.append(String(item))
                }
            } else {
                out.append("--" + spec.option)
                out.append(value)
            }
        }
        return out
    }
}

extension String {
    func replacingHyphens() -> String { String(map { $0 == "-" ? "_" : $0 }) }
}
