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
