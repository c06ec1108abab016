/// Gregorian calendar arithmetic without Foundation, for detectors that validate embedded dates.
enum CalendarDate {
    @inline(__always)
    static func isValid(year: Int, month: Int, day: Int, years: ClosedRange<Int>) -> Bool {
        guard years.contains(year), (1...12).contains(month), day >= 1 else { return false }
        switch month {
        case 4, 6, 9, 11: return day <= 30
        case 2:
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            return day <= (leap ? 29 : 28)
        default: return day <= 31
        }
    }
}
