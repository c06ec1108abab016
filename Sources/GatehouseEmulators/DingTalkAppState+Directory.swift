import Foundation

/// The organisation's directory (通讯录) as topapi/v2/user/get and topapi/v2/department/get read
/// it: people with their name and departments, departments with their name.
extension DingTalkAppState {
    /// A person (or replaces one).
    func addPerson(_ person: DingTalkEmulator.Person) {
        people[person.userid] = person
    }

    /// A department (or renames one).
    func addDepartment(_ department: DingTalkEmulator.Department) {
        departments[department.deptId] = department
    }

    func person(_ userID: String) -> DingTalkEmulator.Person? {
        people[userID]
    }

    func department(_ id: Int64) -> DingTalkEmulator.Department? {
        departments[id]
    }
}

extension DingTalkEmulator {
    /// A person in the directory: `{"userid":"m01","name":"王经理","dept_id_list":[2]}`.
    public struct Person: Codable, Sendable, Equatable {
        public var userid: String
        public var name: String
        public var deptIdList: [Int64]

        public init(userid: String, name: String, deptIdList: [Int64] = []) {
            self.userid = userid
            self.name = name
            self.deptIdList = deptIdList
        }

        enum CodingKeys: String, CodingKey {
            case userid, name
            case deptIdList = "dept_id_list"
        }
    }

    /// A department in the directory: `{"dept_id":2,"name":"市场部"}`.
    public struct Department: Codable, Sendable, Equatable {
        public var deptId: Int64
        public var name: String

        public init(deptId: Int64, name: String) {
            self.deptId = deptId
            self.name = name
        }

        enum CodingKeys: String, CodingKey {
            case deptId = "dept_id"
            case name
        }
    }

    /// What `POST /_emulator/directory` takes: people and departments to add.
    public struct DirectoryEntries: Codable, Sendable, Equatable {
        public var people: [Person]?
        public var departments: [Department]?

        public init(people: [Person]? = nil, departments: [Department]? = nil) {
            self.people = people
            self.departments = departments
        }
    }
}
