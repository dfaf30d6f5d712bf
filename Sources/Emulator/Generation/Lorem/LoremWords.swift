/// The vocabulary `LoremGenerator` builds sentences from, grouped by the slot each word fills.
enum LoremWords {
    static let determiners = ["the", "the", "the", "a", "our", "their", "this", "every", "each", "one"]

    static let nouns = [
        "team", "plan", "report", "meeting", "project", "customer", "system", "model", "idea", "question",
        "answer", "result", "change", "update", "service", "product", "market", "city", "office", "road",
        "garden", "river", "window", "kitchen", "school", "student", "teacher", "doctor", "engineer", "manager",
        "budget", "schedule", "deadline", "draft", "letter", "message", "story", "book", "chapter", "page",
        "picture", "camera", "phone", "computer", "server", "network", "database", "record", "file", "folder",
        "request", "response", "design", "feature", "test", "release", "version", "problem", "solution", "method",
        "process", "step", "rule", "policy", "decision", "goal", "task", "list", "table", "chart",
        "summary", "review", "comment", "note", "journey", "trip", "station", "train", "airport", "hotel",
        "morning", "evening", "weekend", "season", "river", "mountain", "forest", "village", "neighbour", "friend",
        "family", "group", "company", "partner", "supplier", "order", "invoice", "payment", "account", "price",
        "window", "lesson", "course", "workshop", "event", "concert", "recipe", "dinner", "coffee", "bicycle",
    ]

    static let adjectives = [
        "new", "old", "quiet", "busy", "simple", "clear", "careful", "quick", "slow", "small",
        "large", "bright", "early", "late", "final", "first", "next", "last", "main", "local",
        "useful", "practical", "detailed", "short", "long", "steady", "modern", "familiar", "recent", "open",
        "shared", "weekly", "monthly", "annual", "public", "private", "important", "minor", "major", "careful",
        "friendly", "helpful", "patient", "curious", "honest", "calm", "strong", "gentle", "warm", "cool",
        "green", "blue", "narrow", "wide", "fresh", "clean", "complete", "rough", "better", "stable",
    ]

    static let pastVerbs = [
        "reviewed", "changed", "finished", "started", "moved", "opened", "closed", "checked", "shared", "built",
        "wrote", "read", "found", "sent", "received", "planned", "organised", "improved", "tested", "explained",
        "described", "answered", "followed", "joined", "visited", "prepared", "updated", "collected", "compared",
        "measured",
        "approved", "published", "repaired", "painted", "cleaned", "ordered", "delivered", "signed", "discussed",
        "noticed",
        "carried", "kept", "left", "brought", "watched", "studied", "handled", "welcomed", "reached", "covered",
    ]

    static let baseVerbs = [
        "review", "change", "finish", "start", "move", "open", "check", "share", "build", "write",
        "read", "find", "send", "plan", "improve", "test", "explain", "describe", "answer", "follow",
        "visit", "prepare", "update", "collect", "compare", "measure", "approve", "publish", "repair", "clean",
        "order", "deliver", "discuss", "keep", "bring", "watch", "study", "handle", "welcome", "cover",
    ]

    static let modals = ["will", "can", "should", "could", "might", "would", "must"]

    static let adverbs = [
        "quickly", "slowly", "carefully", "quietly", "together", "again", "later", "today", "often", "finally",
        "usually", "clearly", "gently", "early", "recently", "soon", "easily", "closely", "openly", "happily",
        "rarely", "simply", "mostly", "briefly", "directly",
    ]

    static let prepositions = [
        "before", "after", "during", "near", "beside", "behind", "across", "around", "with", "without",
        "under", "over", "inside", "outside", "along", "toward", "through", "for", "from", "about",
    ]

    static let timePhrases = [
        "last week", "this morning", "on Monday", "in the afternoon", "after lunch", "before noon",
        "every Friday", "next month", "in the spring", "by the evening", "over the weekend", "at the end of the day",
        "early on", "later that week", "in the meantime", "for a while", "at first", "by Thursday",
        "in the summer", "yesterday",
    ]
}
