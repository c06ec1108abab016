import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// The listener's own event loop: one thread, at a lower CPU priority than the rest of the
/// daemon (nice +10 on Linux).
///
/// `/hooks` is the one door anyone can knock on. A client that floods it with refused pushes
/// answers its own requests as fast as they are answered, so it takes whatever CPU the
/// listener gets. On the shared event loops that would be an equal share against genuine
/// crossings, their deliveries and the watchdog's ledger round trip; on this thread, the flood
/// runs on what the gateway leaves over. Genuine pushes come through the same door and wait
/// their turn in it, as they would behind any flood, but nothing behind the door does.
struct ListenerThread: Service {
    /// How much lower than the daemon's (Linux: the kernel gives a nice +10 thread about a tenth
    /// of the time of a nice 0 one when both want a core).
    static let niceness: Int32 = 10

    let group: MultiThreadedEventLoopGroup
    private let listener: any Service

    /// Starts the thread; `listener` is built on ``group`` and runs in ``run()``.
    init(logger: Logger, listener: (MultiThreadedEventLoopGroup) -> any Service) {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        group.next().execute {
            #if os(Linux)
            // PRIO_PROCESS with a thread id sets that thread's niceness alone (setpriority(2)).
            guard let thread = currentThreadID(),
                setpriority(__priority_which_t(PRIO_PROCESS.rawValue), thread, Self.niceness) == 0
            else {
                logger.warning("the listener's thread keeps the daemon's CPU priority", metadata: ["gh.errno": .stringConvertible(errno)])
                return
            }
            #endif
        }
        self.group = group
        self.listener = listener(group)
    }

    func run() async throws {
        do {
            // The requests' handlers too: each connection's task is a child of this one, so it
            // prefers this thread; what they start unstructured (the ledger's writer) does not.
            try await withTaskExecutorPreference(EventLoopExecutor(loop: group.next())) {
                try await listener.run()
            }
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        try await group.shutdownGracefully()
    }
}

/// Runs jobs on one event loop, so that tasks preferring it share its thread (and its priority).
final class EventLoopExecutor: TaskExecutor {
    let loop: any EventLoop

    init(loop: any EventLoop) { self.loop = loop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

#if os(Linux)
/// The kernel's id of the calling thread: the last part of `/proc/thread-self`, which links to
/// `PID/task/TID` (Glibc's `gettid` is not visible to Swift).
private func currentThreadID() -> id_t? {
    var path = [CChar](repeating: 0, count: 64)
    let length = readlink("/proc/thread-self", &path, path.count - 1)
    guard length > 0 else { return nil }
    let text = String(decoding: path.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return text.split(separator: "/").last.flatMap { id_t($0) }
}
#endif
