import GatehouseCore
import Yams

extension ConfigCompiler {
    static let deskKeys = ["greeting", "acknowledgement", "out_of_hours", "customer_rate"]

    /// `desk: { greeting: "…", acknowledgement: "…", out_of_hours: { outside: {…}, text: "…" },
    /// customer_rate: 20/min }`: what the support desk answers a customer by itself, each a
    /// template, and how fast one customer may write.
    func compileDesk(_ node: Node) -> GatewayConfig.Desk? {
        guard let fields = reader.fields(node, "desk", allowed: Self.deskKeys) else { return nil }
        var desk = GatewayConfig.Desk()
        var complete = true
        if let node = fields["greeting"] {
            desk.greeting = template(node, "desk: greeting")
            complete = complete && desk.greeting != nil
        }
        if let node = fields["acknowledgement"] {
            desk.acknowledgement = template(node, "desk: acknowledgement")
            complete = complete && desk.acknowledgement != nil
        }
        if let node = fields["out_of_hours"] {
            guard let hours = reader.fields(node, "desk: out_of_hours", allowed: ["outside", "text"]) else { return nil }
            let window = required(hours, "outside", in: "desk: out_of_hours").flatMap { timeWindow($0, "desk: out_of_hours") }
            let text = required(hours, "text", in: "desk: out_of_hours").flatMap { template($0, "desk: out_of_hours") }
            guard let window = window as? TimeWindowDetector, let text else { return nil }
            desk.outOfHours = .init(window: window, text: text)
        }
        if let node = fields["customer_rate"] {
            guard let text = reader.string(node, "desk: customer_rate"), let rate = Rate(parsing: text) else {
                reader.error(at: node, "desk: customer_rate must be N/s, N/min or N/h (20/min)")
                return nil
            }
            desk.customerRate = rate
        }
        return complete ? desk : nil
    }
}
