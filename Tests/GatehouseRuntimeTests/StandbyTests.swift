import Testing

@testable import GatehouseRuntime

/// When a standby tries the lease again.
struct StandbyTests {
    @Test func aStandbyTriesAgainJustAfterTheLeaseRunsOutWhenThatIsSoonerThanItsInterval() {
        let interval = Duration.seconds(1)
        // A renewed lease: the regular interval.
        #expect(Standby.pause(interval: interval, remaining: .seconds(4.5)) == interval)
        // A killed holder's lease about to run out: a moment after it does.
        #expect(Standby.pause(interval: interval, remaining: .milliseconds(300)) == .milliseconds(320))
        #expect(Standby.pause(interval: interval, remaining: .zero) == .milliseconds(20))
        // Nobody ever held it, or it could not be read: the interval.
        #expect(Standby.pause(interval: interval, remaining: nil) == interval)
    }
}
