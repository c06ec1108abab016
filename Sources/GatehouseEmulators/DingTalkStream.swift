import Hummingbird
import HummingbirdWebSocket
import Logging

/// The WebSocket endpoint of Stream mode: `GET /connect?ticket=…` upgrades when the ticket is
/// valid (unused, unexpired); the connection then carries the hub's frames one way and the
/// client's ACKs the other.
enum DingTalkStream {
    typealias Handler = WebSocketDataHandler<HTTP1WebSocketUpgradeChannel.Context>

    /// Largest client frame read; ACKs are small, so this only bounds misbehaving clients.
    static let maximumFrameSize = 1 << 20

    static func shouldUpgrade(
        _ head: HTTPRequest,
        app: DingTalkAppState,
        hub: DingTalkStreamHub,
        logger: Logger
    ) async -> ShouldUpgradeResult<Handler> {
        let target = head.path ?? "/"
        let path = target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? target
        guard path == "/connect" else { return .dontUpgrade }
        let query = target.firstIndex(of: "?").map { target[target.index(after: $0)...] } ?? ""
        guard let ticket = EmulatorHTTP.formPairs(query).first(where: { $0.0 == "ticket" })?.1, !ticket.isEmpty else {
            logger.notice("stream connection refused: no ticket")
            return .dontUpgrade
        }
        guard let subscriptions = await app.redeemTicket(ticket) else {
            logger.notice("stream connection refused: unknown, used or expired ticket")
            return .dontUpgrade
        }
        return .upgrade([:]) { inbound, outbound, context in
            await serve(inbound: inbound, outbound: outbound, subscriptions: subscriptions, hub: hub, logger: context.logger)
        }
    }

    /// Runs one connection: a writer draining the hub's commands and a reader passing client
    /// frames to the hub; whichever ends first ends the connection.
    static func serve(
        inbound: WebSocketInboundStream,
        outbound: WebSocketOutboundWriter,
        subscriptions: [DingTalkSubscription],
        hub: DingTalkStreamHub,
        logger: Logger
    ) async {
        let (commands, continuation) = AsyncStream.makeStream(of: DingTalkStreamCommand.self)
        let id = await hub.register(subscriptions: subscriptions, continuation: continuation)
        // The client's frames are read apart from the rest, so that a zombie can stop reading
        // them: the WebSocket library answers a ping only while its frames are read, and a zombie
        // connection on the platform answers nothing while it stays open.
        let reader = Task {
            do {
                for try await message in inbound.messages(maxSize: maximumFrameSize) {
                    switch message {
                    case .text(let text):
                        await hub.receive(text, from: id)
                    case .binary:
                        await hub.receive("", from: id)
                    }
                }
            } catch {
                logger.debug("stream read ended", metadata: ["error.type": "\(type(of: error))"])
            }
            // Cancelled: the connection became a zombie, and stays open.
            if Task.isCancelled { return true }
            // The client closed (or its connection died): nothing more is pushed to it.
            await hub.unregister(id)
            return false
        }
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await command in commands {
                    switch command {
                    case .frame(let text):
                        do {
                            try await outbound.write(.text(text))
                        } catch {
                            logger.debug("stream write failed", metadata: ["error.type": "\(type(of: error))"])
                            return true
                        }
                    case .close:
                        return true
                    case .zombie:
                        reader.cancel()
                    }
                }
                return true
            }
            group.addTask {
                // Ending the connection stops the reading too.
                await withTaskCancellationHandler {
                    !(await reader.value)
                } onCancel: {
                    reader.cancel()
                }
            }
            // Whichever ends first ends the connection, unless it is the reader of a zombie.
            for await ends in group where ends { break }
            group.cancelAll()
        }
        reader.cancel()
        await hub.unregister(id)
    }
}
