/// The JSON (and YAML) form of `LoadSettings`, used by the config file and `/_emulator/config`:
///
/// ```json
/// {"defaults": {"ttft_ms": "p50:200,p99:800", "itl_ms": 20, "max_concurrency": 64, "rpm": 600},
///  "profiles": [{"model": "gpt-4o*", "ttft_ms": 300}],
///  "faults": {"rates": {"500": 0.01}, "script": ["first 3 429", "every 10 500"]},
///  "overload_status": 503}
/// ```
extension LoadSettings {
    /// Applies the members present in `json`; absent members keep their values.
    /// - Throws: 400 naming the first invalid member.
    public mutating func apply(_ json: JSONValue, path: String = "") throws(APIError) {
        guard case .object(let o) = json else { throw .invalidType(param: path.isEmpty ? "body" : path, expected: "an object", got: json) }
        let p = Params(o, path: path)
        if let d = try p.object("defaults") { try LoadSettings.apply(d, to: &profiles.defaults) }
        if let list = try p.array("profiles") {
            var parsed: [ModelProfile] = []
            for (i, item) in list.enumerated() {
                guard case .object(let po) = item else {
                    throw .invalidType(param: p.name("profiles[\(i)]"), expected: "an object", got: item)
                }
                var profile = profiles.defaults
                let pp = Params(po, path: p.name("profiles[\(i)]"))
                profile.model = try pp.requiredString("model")
                try LoadSettings.apply(pp, to: &profile)
                parsed.append(profile)
            }
            profiles.profiles = parsed
        }
        if let faults = try p.object("faults") {
            if let rates = faults.value("rates") {
                switch rates {
                case .string(let s):
                    guard let r = FaultRates.parse(s) else { throw LoadSettings.invalid(faults.name("rates"), s) }
                    faultRates = r
                case .object(let ro):
                    var r = FaultRates()
                    for (k, v) in ro.entries {
                        guard let kind = Fault.Kind(rawValue: k), let prob = v.doubleValue, prob >= 0, prob <= 1 else {
                            throw LoadSettings.invalid(faults.name("rates.\(k)"), v.jsonString)
                        }
                        r.rates.append((kind, prob))
                    }
                    faultRates = r
                default:
                    throw .invalidType(param: faults.name("rates"), expected: "an object or a string", got: rates)
                }
            }
            if let script = try faults.array("script") {
                var rules: [FaultRule] = []
                for (i, item) in script.enumerated() {
                    guard let text = item.stringValue, let rule = FaultRule.parse(text) else {
                        throw LoadSettings.invalid(faults.name("script[\(i)]"), item.jsonString)
                    }
                    rules.append(rule)
                }
                faultScript = rules
            }
        }
        if let status = try p.int("overload_status") {
            guard status == 429 || status == 503 else { throw LoadSettings.invalid(p.name("overload_status"), String(status)) }
            overloadStatus = status
        }
        if let v = try p.double("gateway_timeout_ms", in: 0...3_600_000) { gatewayTimeoutMs = v }
        if let v = try p.double("timeout_hold_s", in: 0...86_400) { timeoutHoldSeconds = v }
        if let v = try p.int("seed", in: 0...Int.max) { seed = UInt64(v) }
    }

    static func invalid(_ param: String, _ value: String) -> APIError {
        .invalidRequest("Invalid value for '\(param)': \(value).", param: param, code: "invalid_value")
    }

    static func distribution(_ p: Params, _ key: String) throws(APIError) -> Distribution? {
        guard let v = p.value(key) else { return nil }
        let text = v.stringValue ?? (v.doubleValue.map { $0.compact })
        guard let text, let d = Distribution.parse(text) else { throw invalid(p.name(key), v.jsonString) }
        return d
    }

    static func apply(_ p: Params, to profile: inout ModelProfile) throws(APIError) {
        if let d = try distribution(p, "ttft_ms") { profile.ttftMs = d }
        if let d = try distribution(p, "itl_ms") { profile.itlMs = d }
        if let v = try p.double("prefill_us_per_token", in: 0...1e9) { profile.prefillUsPerToken = v }
        if let v = p.value("output_tokens") {
            let text = v.stringValue ?? v.doubleValue.map { $0.compact } ?? ""
            if let range = TokenRange.parse(text) {
                profile.outputTokens = .uniform(Double(range.lowerBound), Double(range.upperBound))
            } else if let d = Distribution.parse(text) {
                profile.outputTokens = d
            } else {
                throw invalid(p.name("output_tokens"), v.jsonString)
            }
        }
        if p.object["max_concurrency"] != nil {
            profile.maxConcurrency = try p.int("max_concurrency", in: 1...1_000_000)
        }
        if let v = try p.int("max_queue", in: 0...10_000_000) { profile.maxQueue = v }
        if let v = try p.double("slowdown_per_running", in: 0...10_000) { profile.slowdownPerRunningPercent = v }
        if p.object["rpm"] != nil { profile.rpm = try p.int("rpm", in: 1...Int(Int32.max)) }
        if p.object["tpm"] != nil { profile.tpm = try p.int("tpm", in: 1...Int(Int32.max)) }
        if p.object["rpd"] != nil { profile.rpd = try p.int("rpd", in: 1...Int(Int32.max)) }
        if let v = try p.bool("quota_exhausted") { profile.quotaExhausted = v }
    }

    /// The settings as JSON, in the same form `apply` reads.
    public var json: JSONValue {
        func profileJSON(_ p: ModelProfile, withModel: Bool) -> JSONValue {
            var o = JSONObject()
            if withModel { o["model"] = .string(p.model) }
            o["ttft_ms"] = .string(p.ttftMs.description)
            o["itl_ms"] = .string(p.itlMs.description)
            o["prefill_us_per_token"] = .number(p.prefillUsPerToken)
            o["output_tokens"] = p.outputTokens.map { .string($0.description) } ?? .null
            o["max_concurrency"] = p.maxConcurrency.map { .number(Double($0)) } ?? .null
            o["max_queue"] = .number(Double(p.maxQueue))
            o["slowdown_per_running"] = .number(p.slowdownPerRunningPercent)
            o["rpm"] = p.rpm.map { .number(Double($0)) } ?? .null
            o["tpm"] = p.tpm.map { .number(Double($0)) } ?? .null
            o["rpd"] = p.rpd.map { .number(Double($0)) } ?? .null
            o["quota_exhausted"] = .bool(p.quotaExhausted)
            return .object(o)
        }
        var rates = JSONObject()
        for (k, p) in faultRates.rates { rates[k.rawValue] = .number(p) }
        return [
            "defaults": profileJSON(profiles.defaults, withModel: false),
            "profiles": .array(profiles.profiles.map { profileJSON($0, withModel: true) }),
            "faults": ["rates": .object(rates), "script": .array(faultScript.map { .string($0.text) })],
            "overload_status": .number(Double(overloadStatus)),
            "gateway_timeout_ms": .number(gatewayTimeoutMs),
            "timeout_hold_s": .number(timeoutHoldSeconds),
            "seed": seed.map { .number(Double($0)) } ?? .null,
        ]
    }
}

extension FaultRule {
    /// The rule in the text form `parse` reads.
    var text: String {
        let kindText = kind.rawValue + (afterChunks.map { "@\($0)" } ?? "")
        var s: String
        switch when {
        case .first(let n): s = "first \(n) \(kindText)"
        case .every(let n): s = "every \(n) \(kindText)"
        case .window(let a, let b): s = "\(a.compact)s-\(b.compact)s \(kindText)"
        }
        if per != .key { s += " per \(per.rawValue)" }
        if model != "*" { s += " model \(model)" }
        return s
    }
}
