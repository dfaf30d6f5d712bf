/// The lists `PlausibleText` draws realistic values from.
enum PlausibleWords {
    static let firstNames = [
        "Maria", "James", "Aisha", "Wei", "Lucas", "Sofia", "Noah", "Amara", "Kenji", "Elena",
        "Omar", "Chloe", "Mateo", "Priya", "Liam", "Hana", "Daniel", "Fatima", "Jonas", "Grace",
    ]

    static let lastNames = [
        "Garcia", "Smith", "Okafor", "Chen", "Martin", "Rossi", "Johnson", "Mensah", "Tanaka", "Petrova",
        "Haddad", "Dubois", "Silva", "Sharma", "Walsh", "Kim", "Novak", "Khan", "Berg", "Lee",
    ]

    static let cities = [
        "Lisbon", "Toronto", "Osaka", "Nairobi", "Melbourne", "Berlin", "Austin", "Seoul", "Lyon", "Denver",
        "Madrid", "Oslo", "Cape Town", "Chicago", "Mumbai", "Boston", "Vancouver", "Prague", "Dublin", "Seattle",
    ]

    static let countries = [
        "Portugal", "Canada", "Japan", "Kenya", "Australia", "Germany", "United States", "South Korea", "France",
        "Spain", "Norway", "South Africa", "India", "Ireland", "Czech Republic", "Brazil", "Mexico", "Italy",
    ]

    static let countryCodes = ["PT", "CA", "JP", "KE", "AU", "DE", "US", "KR", "FR", "ES", "NO", "IN", "IE", "BR"]

    static let regions = ["California", "Ontario", "Bavaria", "Texas", "Queensland", "Catalonia", "Kyoto", "Oregon"]

    static let streets = [
        "Maple Street", "Oak Avenue", "Harbour Road", "Station Lane", "Mill Street", "Park Avenue", "Elm Drive",
        "Church Road", "River Walk", "Hill Street",
    ]

    static let companies = [
        "Northwind Traders", "Acme Corporation", "Blue Harbor Labs", "Summit Analytics", "Greenfield Foods",
        "Brightline Logistics", "Cedar & Stone", "Atlas Robotics", "Lumen Health", "Riverbend Books",
    ]

    static let products = [
        "Wireless Headphones", "Espresso Machine", "Running Shoes", "Desk Lamp", "Backpack", "Water Bottle",
        "Mechanical Keyboard", "Yoga Mat", "Smart Watch", "Cast Iron Skillet",
    ]

    static let jobs = [
        "Software Engineer", "Product Manager", "Data Analyst", "Nurse", "Teacher", "Graphic Designer",
        "Accountant", "Sales Manager", "Mechanic", "Architect",
    ]

    static let currencies = ["USD", "EUR", "GBP", "JPY", "CAD", "AUD", "CHF", "INR"]

    static let languages = ["English", "Spanish", "French", "German", "Japanese", "Portuguese", "Hindi", "Korean"]

    static let timezones = [
        "America/New_York", "Europe/London", "Asia/Tokyo", "Europe/Berlin", "America/Los_Angeles",
        "Australia/Sydney", "UTC",
    ]

    static let mailDomains = ["example.com", "example.org", "mail.example.net"]

    static let searches = [
        "best hiking trails near denver", "how to reset a router", "vegetarian lasagna recipe",
        "flights from boston to lisbon", "weather this weekend", "quarterly revenue by region",
        "python list comprehension examples", "cheap hotels in osaka", "open source vector databases",
        "museum opening hours",
    ]

    static let sqlQueries = [
        "SELECT id, name FROM customers WHERE active = 1 ORDER BY name LIMIT 10;",
        "SELECT status, COUNT(*) FROM orders GROUP BY status;",
        "SELECT * FROM products WHERE price < 50 ORDER BY price DESC;",
        "SELECT c.name, SUM(o.total) FROM customers c JOIN orders o ON o.customer_id = c.id GROUP BY c.name;",
    ]
}
