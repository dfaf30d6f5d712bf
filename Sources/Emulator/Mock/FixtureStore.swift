import Logging

#if canImport(Glibc)
import Glibc
#endif

/// The fixtures in force: those of the fixtures file (shared by every scope, hot-reloaded) and
/// those added at runtime (per scope), with how often each has matched.
public final class FixtureStore: Sendable {
    private struct State {
        var file: [Fixture] = []
        var runtime: [String: [Fixture]] = [:]
        var hits: [String: Int] = [:]
        var order = 0
        var fileStamp: (Int, Int) = (0, 0)
    }

    /// A fixture's answer for one request, templates filled in.
    struct Script: Sendable {
        var rule: String
        var answer: FixtureAnswer
    }

    private let state = Locked(State())
    public let strict: Bool
    public let path: String?
    private let ids: IDGenerator
    private let logger: Logger

    public init(path: String?, strict: Bool, ids: IDGenerator, logger: Logger) {
        self.path = path
        self.strict = strict
        self.ids = ids
        self.logger = logger
    }

    // MARK: - File

    /// Loads the fixtures file. On a broken file the last good rules stay in force.
    /// - Throws: when the file cannot be read or parsed (the error says where).
    public func reload() throws {
        guard let path else { return }
        let value = try ConfigFile.load(path)
        let parsed: Result<[Fixture], APIError> = Result { () throws(APIError) in
            try Fixture.parseList(value, source: "file", ids: ids)
        }
        guard case .success(let fixtures) = parsed else {
            if case .failure(let error) = parsed { throw ConfigurationError.invalid(path, error.message) }
            return
        }
        let stamp = FixtureStore.stamp(path)
        state.withLock { s in
            s.file = fixtures.map { f in
                var f = f
                s.order += 1
                f.order = s.order
                return f
            }
            s.fileStamp = stamp
        }
        logger.info("fixtures loaded", metadata: ["file": "\(path)", "rules": "\(fixtures.count)"])
    }

    /// Reloads the file when it changed since the last load; logs and keeps the old rules if it is broken.
    public func reloadIfChanged() {
        guard let path else { return }
        let stamp = FixtureStore.stamp(path)
        let known = state.withLock { $0.fileStamp }
        guard stamp != known, stamp != (0, 0) else { return }
        do {
            try reload()
        } catch {
            state.withLock { $0.fileStamp = stamp }
            logger.error("fixtures file not reloaded; keeping the last good rules", metadata: ["error": "\(error)"])
        }
    }

    /// Polls the file once a second for changes, on a thread of its own.
    public func watch() {
        guard path != nil else { return }
        let box = Unmanaged.passRetained(self)
        var thread = pthread_t()
        _ = pthread_create(&thread, nil, { raw in
            let store = Unmanaged<FixtureStore>.fromOpaque(raw!).takeRetainedValue()
            while true {
                sleep(1)
                store.reloadIfChanged()
            }
        }, box.toOpaque())
        pthread_detach(thread)
    }

    static func stamp(_ path: String) -> (Int, Int) {
        var st = stat()
        guard stat(path, &st) == 0 else { return (0, 0) }
        return (Int(st.st_mtim.tv_sec) * 1_000_000_000 + Int(st.st_mtim.tv_nsec), Int(st.st_size))
    }

    // MARK: - Runtime rules

    func add(_ fixtures: [Fixture], scope: String) -> [Fixture] {
        state.withLock { s in
            var added: [Fixture] = []
            for var f in fixtures {
                s.order += 1
                f.order = s.order
                added.append(f)
            }
            s.runtime[scope, default: []].append(contentsOf: added)
            return added
        }
    }

    func list(scope: String) -> [(Fixture, Int)] {
        state.withLock { s in
            (s.file + (s.runtime[scope] ?? [])).map { ($0, s.hits[scope + "\u{0}" + $0.id] ?? 0) }
        }
    }

    func remove(id: String, scope: String) -> Bool {
        state.withLock { s in
            guard let i = s.runtime[scope]?.firstIndex(where: { $0.id == id }) else { return false }
            s.runtime[scope]?.remove(at: i)
            return true
        }
    }

    /// Drops a scope's runtime rules and hit counts (or all of them).
    public func clear(scope: String?) {
        state.withLock { s in
            if let scope {
                s.runtime[scope] = nil
                s.hits = s.hits.filter { !$0.key.hasPrefix(scope + "\u{0}") }
            } else {
                s.runtime.removeAll()
                s.hits.removeAll()
            }
        }
    }

    // MARK: - Matching

    /// Whether `script(for:scope:)` can find anything (or must throw): rules are loaded for the
    /// scope, or fixtures are strict.
    func mayMatch(scope: String) -> Bool {
        strict || state.withLock { s in !s.file.isEmpty || s.runtime[scope]?.isEmpty == false }
    }

    /// The answer of the first rule that matches, by priority, then specificity, then newest.
    /// - Throws: 404 `fixture_not_found` under `--fixtures-strict` when none matches, naming the
    ///   closest rule and why it did not match.
    func script(for q: FixtureQuery, scope: String) throws(APIError) -> Script? {
        let result: (Fixture, FixtureAnswer)? = state.withLock { s in
            if s.file.isEmpty && (s.runtime.isEmpty || s.runtime[scope]?.isEmpty != false) { return nil }
            let candidates = (s.file + (s.runtime[scope] ?? [])).sorted { a, b in
                if a.priority != b.priority { return a.priority > b.priority }
                if a.match.specificity != b.match.specificity { return a.match.specificity > b.match.specificity }
                return a.order > b.order
            }
            for rule in candidates where rule.match.failures(q).isEmpty {
                let key = scope + "\u{0}" + rule.id
                let hits = s.hits[key, default: 0] + 1
                s.hits[key] = hits
                let served = hits - rule.after
                if served < 1 { continue }
                if let times = rule.times, served > times { continue }
                return (rule, rule.answers[min(served - 1, rule.answers.count - 1)])
            }
            return nil
        }
        if let (rule, answer) = result { return Script(rule: rule.label, answer: FixtureStore.render(answer, q)) }
        if strict { throw notFound(q, scope: scope) }
        return nil
    }

    private func notFound(_ q: FixtureQuery, scope: String) -> APIError {
        let rules = state.withLock { s in s.file + (s.runtime[scope] ?? []) }
        guard !rules.isEmpty else {
            return APIError(status: 404, type: "invalid_request_error",
                            message: "No fixture matches \(q.request.method) \(q.request.path): there are no fixtures.",
                            param: nil, code: "fixture_not_found")
        }
        let ranked = rules.map { ($0, $0.match.failures(q)) }.min { $0.1.count < $1.1.count }!
        let why = ranked.1.isEmpty ? "it already answered as often as allowed (times/after)" : ranked.1.joined(separator: "; ")
        return APIError(status: 404, type: "invalid_request_error",
                        message: "No fixture matches \(q.request.method) \(q.request.path) (model \(q.model)). Closest rule '\(ranked.0.label)': \(why).",
                        param: nil, code: "fixture_not_found")
    }

    static func render(_ a: FixtureAnswer, _ q: FixtureQuery) -> FixtureAnswer {
        var a = a
        a.text = a.text.map { Template.render($0, q) }
        a.json = a.json.map { Template.render($0, q) }
        a.toolCalls = a.toolCalls.map { ($0.name, $0.arguments.map { Template.render($0, q) }) }
        if var e = a.error {
            e.message = Template.render(e.message, q)
            a.error = e
        }
        return a
    }
}
