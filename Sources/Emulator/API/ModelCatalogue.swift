/// The models `GET /v1/models` lists: current OpenAI model ids with their owners and dates.
public struct ModelCatalogue: Sendable {
    public struct Entry: Sendable, Equatable {
        public var id: String
        public var created: Int
        public var ownedBy: String

        public init(id: String, created: Int, ownedBy: String) {
            self.id = id
            self.created = created
            self.ownedBy = ownedBy
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry] = ModelCatalogue.builtIn) { self.entries = entries }

    public func entry(_ id: String) -> Entry? { entries.first { $0.id == id } }

    public static let builtIn: [Entry] = [
        Entry(id: "gpt-4o-mini", created: 1_721_172_741, ownedBy: "system"),
        Entry(id: "gpt-4o", created: 1_715_367_049, ownedBy: "system"),
        Entry(id: "gpt-4o-2024-08-06", created: 1_722_814_719, ownedBy: "system"),
        Entry(id: "gpt-4.1", created: 1_744_316_542, ownedBy: "system"),
        Entry(id: "gpt-4.1-mini", created: 1_744_318_173, ownedBy: "system"),
        Entry(id: "gpt-4.1-nano", created: 1_744_321_707, ownedBy: "system"),
        Entry(id: "gpt-5", created: 1_754_425_777, ownedBy: "system"),
        Entry(id: "gpt-5-mini", created: 1_754_425_928, ownedBy: "system"),
        Entry(id: "gpt-5-nano", created: 1_754_426_384, ownedBy: "system"),
        Entry(id: "o1", created: 1_734_375_816, ownedBy: "system"),
        Entry(id: "o3", created: 1_744_225_308, ownedBy: "system"),
        Entry(id: "o3-mini", created: 1_737_146_383, ownedBy: "system"),
        Entry(id: "o4-mini", created: 1_744_225_351, ownedBy: "system"),
        Entry(id: "gpt-4-turbo", created: 1_712_361_441, ownedBy: "system"),
        Entry(id: "gpt-4", created: 1_687_882_411, ownedBy: "openai"),
        Entry(id: "gpt-3.5-turbo", created: 1_677_610_602, ownedBy: "openai"),
        Entry(id: "gpt-3.5-turbo-instruct", created: 1_692_901_427, ownedBy: "system"),
        Entry(id: "text-embedding-3-small", created: 1_705_948_997, ownedBy: "system"),
        Entry(id: "text-embedding-3-large", created: 1_705_953_180, ownedBy: "system"),
        Entry(id: "text-embedding-ada-002", created: 1_671_217_299, ownedBy: "openai-internal"),
        Entry(id: "davinci-002", created: 1_692_634_301, ownedBy: "system"),
        Entry(id: "babbage-002", created: 1_692_634_615, ownedBy: "system"),
    ]

    func write(_ e: Entry, _ w: inout JSONWriter) {
        w.raw("{\"id\":"); w.string(e.id)
        w.raw(",\"object\":\"model\",\"created\":"); w.int(e.created)
        w.raw(",\"owned_by\":"); w.string(e.ownedBy); w.raw("}")
    }

    /// The `{"object":"list","data":[…]}` body.
    func listBody() -> [UInt8] {
        var w = JSONWriter(capacity: 96 * entries.count + 32)
        w.raw("{\"object\":\"list\",\"data\":[")
        for (i, e) in entries.enumerated() {
            if i > 0 { w.raw(",") }
            write(e, &w)
        }
        w.raw("]}")
        return w.finish()
    }

    func body(_ e: Entry) -> [UInt8] {
        var w = JSONWriter(capacity: 128)
        write(e, &w)
        return w.finish()
    }
}

extension ModelCatalogue {
    /// Reads a catalogue file: a JSON array of `{"id","owned_by","created"}` objects (or of id
    /// strings), an OpenAI `{"data":[…]}` list, or plain text with one id per line.
    public static func load(path: String) throws -> ModelCatalogue {
        guard let bytes = FileReader.read(path) else { throw ConfigurationError.unreadable(path) }
        let now = WallClock.unixSeconds()
        if let value = try? JSONParser.parse(bytes) {
            let items = value["data"]?.arrayValue ?? value.arrayValue ?? []
            let entries = items.compactMap { item -> Entry? in
                if let id = item.stringValue { return Entry(id: id, created: now, ownedBy: "system") }
                guard let id = item["id"]?.stringValue else { return nil }
                return Entry(id: id, created: item["created"]?.intValue ?? now,
                             ownedBy: item["owned_by"]?.stringValue ?? "system")
            }
            guard !entries.isEmpty else { throw ConfigurationError.invalid(path, "no models with an \"id\"") }
            return ModelCatalogue(entries: entries)
        }
        let ids = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: " ") }.filter { !$0.isEmpty && !$0.hasPrefix("#") }
        guard !ids.isEmpty else { throw ConfigurationError.invalid(path, "no model ids") }
        return ModelCatalogue(entries: ids.map { Entry(id: String($0), created: now, ownedBy: "system") })
    }
}

/// Decides whether a requested model may be used: any name, or with `--strict-models` only names
/// in the catalogue.
public struct ModelPolicy: Sendable {
    public var catalogue: ModelCatalogue
    public var strict: Bool

    /// - Throws: 404 `model_not_found` for an unknown model under strict checking.
    public func check(_ model: String) throws(APIError) {
        if strict && catalogue.entry(model) == nil { throw .modelNotFound(model) }
    }
}
