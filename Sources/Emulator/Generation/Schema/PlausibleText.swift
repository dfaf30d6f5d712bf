/// Realistic-looking values chosen from a property name: `first_name` gives "Maria", `city` gives
/// "Lisbon", `createdAt` a timestamp, `description` a sentence, `price` 24.99.
///
/// Names are split into lowercase words at `_`, `-`, spaces and camelCase humps, then matched
/// against keyword lists in a fixed order (so `email_address` is an email, not an address).
enum PlausibleText {
    /// A string suited to a property called `hint` (any short phrase when there's no hint).
    static func string(for hint: String?, using rng: inout SeededRandom) -> String {
        let words = hint.map(tokens) ?? []
        func has(_ names: String...) -> Bool { names.contains(where: words.contains) }
        func pick(_ list: [String]) -> String { LoremGenerator.pick(list, &rng) }

        if has("email", "mail") { return email(using: &rng) }
        if has("url", "uri", "link", "website", "homepage", "href", "endpoint", "webhook") { return url(using: &rng) }
        if has("phone", "mobile", "tel", "telephone", "fax") {
            return "+1-555-\(Int.random(in: 100...999, using: &rng))-\(Int.random(in: 1000...9999, using: &rng))"
        }
        if has("uuid", "guid") { return StringFormats.uuid(using: &rng) }
        if has("ip") { return StringFormats.ipv4(using: &rng) }
        if has("host", "hostname", "domain") { return hostname(using: &rng) }
        if has("country") {
            return has("code", "iso") ? pick(PlausibleWords.countryCodes) : pick(PlausibleWords.countries)
        }
        if has("currency") { return pick(PlausibleWords.currencies) }
        if has("language", "lang", "locale") {
            return has("code") || has("locale") ? "en" : pick(PlausibleWords.languages)
        }
        if has("timezone", "tz") { return pick(PlausibleWords.timezones) }
        if has("sql") { return pick(PlausibleWords.sqlQueries) }
        if has("id", "identifier", "ref", "reference") { return identifier(prefix: words.first, using: &rng) }
        if has("timestamp", "datetime") || words.last == "at" || (has("time") && has("start", "end", "created")) {
            return StringFormats.dateTime(using: &rng)
        }
        if has("date", "birthday", "dob", "deadline", "day", "due") { return StringFormats.date(using: &rng) }
        if has("time") { return String(StringFormats.time(using: &rng).prefix(5)) }
        if has("city", "town") { return pick(PlausibleWords.cities) }
        if has("state", "province", "region") && !has("status") { return pick(PlausibleWords.regions) }
        if has("zip", "postal", "postcode") { return "\(Int.random(in: 10000...99999, using: &rng))" }
        if has("street", "address") { return "\(Int.random(in: 1...999, using: &rng)) \(pick(PlausibleWords.streets))" }
        if has("location", "place", "destination", "origin", "venue", "where") {
            return "\(pick(PlausibleWords.cities)), \(pick(PlausibleWords.countries))"
        }
        if has("company", "organization", "organisation", "employer", "brand", "vendor", "supplier") {
            return pick(PlausibleWords.companies)
        }
        if has("first", "given", "firstname") { return pick(PlausibleWords.firstNames) }
        if has("last", "surname", "family", "lastname") { return pick(PlausibleWords.lastNames) }
        if has("username", "handle", "login", "user") {
            return pick(PlausibleWords.firstNames).lowercased() + "\(Int.random(in: 1...99, using: &rng))"
        }
        if has("file", "filename", "path", "attachment") {
            return
                "\(LoremGenerator.word(using: &rng))_\(Int.random(in: 1...99, using: &rng))."
                + pick(["pdf", "csv", "txt", "png"])
        }
        if has("product", "item") { return pick(PlausibleWords.products) }
        if has(
            "name", "author", "customer", "person", "contact", "owner", "assignee", "recipient", "sender", "guest",
            "passenger", "speaker")
        {
            return "\(pick(PlausibleWords.firstNames)) \(pick(PlausibleWords.lastNames))"
        }
        if has("job", "role", "position", "occupation", "profession") { return pick(PlausibleWords.jobs) }
        if has("status") { return pick(["active", "pending", "completed", "cancelled", "in_progress"]) }
        if has("unit", "units") { return pick(["celsius", "fahrenheit", "metric", "imperial", "kg", "km"]) }
        if has("color", "colour") { return pick(["red", "blue", "green", "black", "white", "orange", "purple"]) }
        if has("version") {
            return
                "\(Int.random(in: 1...4, using: &rng)).\(Int.random(in: 0...12, using: &rng))."
                + "\(Int.random(in: 0...9, using: &rng))"
        }
        if has("code", "sku") { return "\(pick(["AB", "XK", "QT", "MR"]))-\(Int.random(in: 1000...9999, using: &rng))" }
        if has("password", "token", "secret", "key", "hash") { return identifier(prefix: nil, using: &rng) + "Zq7" }
        if has("query", "search", "q", "keywords", "prompt", "question", "term") {
            return pick(PlausibleWords.searches)
        }
        if has("title", "subject", "headline", "heading", "topic", "label", "caption") {
            return LoremGenerator.words(Int.random(in: 2...4, using: &rng), using: &rng)
                .split(separator: " ").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
        }
        if has(
            "description", "summary", "text", "content", "body", "message", "comment", "comments", "note",
            "notes", "reason", "explanation", "details", "bio", "answer", "response", "feedback", "review",
            "instructions", "reasoning", "analysis", "thought", "thoughts", "overview", "abstract", "story")
        {
            return LoremGenerator.text(approximateWords: Int.random(in: 8...24, using: &rng), using: &rng)
                .replacing("\n\n", with: " ")
        }
        if has("category", "type", "kind", "genre", "tag", "tags", "keyword", "topic", "mode") {
            return LoremGenerator.word(using: &rng)
        }
        return LoremGenerator.words(Int.random(in: 1...3, using: &rng), using: &rng)
    }

    /// A plausible range and number of decimals for a numeric property called `hint`.
    static func numberRange(for hint: String?, integer: Bool) -> (low: Double, high: Double, decimals: Int) {
        let words = hint.map(tokens) ?? []
        func has(_ names: String...) -> Bool { names.contains(where: words.contains) }
        if has("lat", "latitude") { return (-90, 90, 4) }
        if has("lon", "lng", "long", "longitude") { return (-180, 180, 4) }
        if has("age") { return (18, 90, 0) }
        if has("year") { return (1990, 2030, 0) }
        if has("month") { return (1, 12, 0) }
        if has("day", "days") { return (1, 28, 0) }
        if has("hour", "hours") { return (0, 23, 0) }
        if has("minute", "minutes", "second", "seconds") { return (0, 59, 0) }
        if has("price", "cost", "amount", "total", "balance", "salary", "fee", "budget", "subtotal", "tax") {
            return (1, 500, 2)
        }
        if has("rating", "stars") { return (1, 5, 1) }
        if has("percent", "percentage", "pct", "humidity", "progress") { return (0, 100, 1) }
        if has("probability", "confidence", "ratio", "weight", "similarity") && !has("kg") { return (0, 1, 2) }
        if has("temperature", "temp") { return (-10, 35, 1) }
        if has("page") { return (1, 10, 0) }
        if has("limit", "size", "top", "k", "n", "max", "results") { return (1, 50, 0) }
        if has("count", "quantity", "qty", "number", "num", "guests", "adults", "children", "nights", "seats") {
            return (1, 10, 0)
        }
        if has("id") { return (1, 99_999, 0) }
        if has("score") { return (0, 100, 1) }
        if has("distance", "duration", "length", "height", "width", "depth") { return (1, 500, 1) }
        return integer ? (0, 100, 0) : (0, 1_000, 2)
    }

    /// Lowercase words of a property name: "createdAt" → ["created", "at"], "user_id" → ["user", "id"].
    static func tokens(_ name: String) -> [String] {
        var words: [String] = []
        var current = ""
        var previousLower = false
        for ch in name {
            if !(ch.isLetter || ch.isNumber) {
                if !current.isEmpty { words.append(current) }
                current = ""
                previousLower = false
                continue
            }
            if ch.isUppercase && previousLower && !current.isEmpty {
                words.append(current)
                current = ""
            }
            current += ch.lowercased()
            previousLower = ch.isLowercase || ch.isNumber
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    static func email(using rng: inout SeededRandom) -> String {
        let first = LoremGenerator.pick(PlausibleWords.firstNames, &rng).lowercased()
        let last = LoremGenerator.pick(PlausibleWords.lastNames, &rng).lowercased()
        return "\(first).\(last)@\(LoremGenerator.pick(PlausibleWords.mailDomains, &rng))"
    }

    static func url(using rng: inout SeededRandom) -> String {
        "https://\(hostname(using: &rng))/\(LoremGenerator.word(using: &rng))/\(Int.random(in: 1...999, using: &rng))"
    }

    static func hostname(using rng: inout SeededRandom) -> String {
        let prefix = LoremGenerator.pick(["www", "api", "docs", "shop", "app"], &rng)
        return "\(prefix).\(LoremGenerator.word(using: &rng)).example.com"
    }

    /// "ord_3kf92ma1" for `order_id`: the first letters of the owner word, then random characters.
    static func identifier(prefix: String?, using rng: inout SeededRandom) -> String {
        let alphabet = Array("abcdefghijkmnpqrstuvwxyz0123456789")
        var tail = ""
        for _ in 0..<10 { tail.append(alphabet[Int.random(in: 0..<alphabet.count, using: &rng)]) }
        guard let prefix, prefix != "id", !prefix.isEmpty else { return tail }
        return "\(prefix.prefix(3))_\(tail)"
    }
}
