using System;
using System.Globalization;
using System.Text;

namespace Splinter.Core
{
    /// <summary>
    /// A point in POSIX time (proleptic Gregorian, no leap seconds): seconds
    /// since 1970-01-01T00:00:00Z and nanoseconds, so all nine fraction digits
    /// of a ts survive (spec section 5). Ordered to the nanosecond.
    /// </summary>
    public struct SpTime : IComparable<SpTime>, IEquatable<SpTime>
    {
        public readonly long Seconds;
        public readonly int Nanoseconds; // 0..999 999 999

        public SpTime(long seconds, int nanoseconds)
        {
            if (nanoseconds < 0 || nanoseconds > 999999999)
                throw new ArgumentOutOfRangeException("nanoseconds");
            Seconds = seconds;
            Nanoseconds = nanoseconds;
        }

        /// <summary>This time plus <paramref name="ms"/> milliseconds (ms up to 2^53 - 1 fits: about 2.9e5 years).</summary>
        public SpTime AddMilliseconds(ulong ms)
        {
            long sec = Seconds + (long)(ms / 1000);
            long ns = Nanoseconds + (long)(ms % 1000) * 1000000;
            if (ns >= 1000000000)
            {
                sec++;
                ns -= 1000000000;
            }
            return new SpTime(sec, (int)ns);
        }

        public int CompareTo(SpTime other)
        {
            if (Seconds != other.Seconds)
                return Seconds < other.Seconds ? -1 : 1;
            return Nanoseconds.CompareTo(other.Nanoseconds);
        }

        public bool Equals(SpTime other) { return CompareTo(other) == 0; }
        public override bool Equals(object obj) { return obj is SpTime && Equals((SpTime)obj); }
        public override int GetHashCode() { return Seconds.GetHashCode() ^ Nanoseconds; }
        public static bool operator <(SpTime a, SpTime b) { return a.CompareTo(b) < 0; }
        public static bool operator >(SpTime a, SpTime b) { return a.CompareTo(b) > 0; }
        public static bool operator <=(SpTime a, SpTime b) { return a.CompareTo(b) <= 0; }
        public static bool operator >=(SpTime a, SpTime b) { return a.CompareTo(b) >= 0; }

        /// <summary>The current time of the system clock.</summary>
        public static SpTime Now()
        {
            long ticks = DateTime.UtcNow.Ticks - new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc).Ticks;
            long sec = ticks / TimeSpan.TicksPerSecond;
            long rest = ticks % TimeSpan.TicksPerSecond;
            if (rest < 0)
            {
                sec--;
                rest += TimeSpan.TicksPerSecond;
            }
            return new SpTime(sec, (int)(rest * 100));
        }

        /// <summary>
        /// Reads an RFC 3339 date-time in UTC as spec section 5 restricts it
        /// (SP-5-a to SP-5-e): YYYY-MM-DD, T or t, hh:mm:ss, an optional
        /// fraction of 1 to 9 digits, then Z, z or +00:00. 23:59:60 is the next
        /// second. Returns false for anything else, with the SP- ID in <paramref name="rule"/>.
        /// </summary>
        public static bool TryParse(string s, out SpTime time, out string rule)
        {
            time = default(SpTime);
            rule = "SP-5-a";
            if (s == null || s.Length < 20)
                return false;
            int year, month, day, hour, minute, second;
            if (!Digits(s, 0, 4, out year) || s[4] != '-' || !Digits(s, 5, 2, out month) || s[7] != '-' ||
                !Digits(s, 8, 2, out day) || (s[10] != 'T' && s[10] != 't') || !Digits(s, 11, 2, out hour) ||
                s[13] != ':' || !Digits(s, 14, 2, out minute) || s[16] != ':' || !Digits(s, 17, 2, out second))
                return false;
            int i = 19;
            int nanos = 0;
            if (s[i] == '.')
            {
                int start = ++i;
                while (i < s.Length && s[i] >= '0' && s[i] <= '9')
                    i++;
                int n = i - start;
                if (n < 1 || n > 9)
                {
                    rule = "SP-5-c";
                    return false;
                }
                for (int k = 0; k < 9; k++)
                    nanos = nanos * 10 + (k < n ? s[start + k] - '0' : 0);
            }
            string offset = s.Substring(i);
            if (offset != "Z" && offset != "z" && offset != "+00:00")
            {
                // Grammar first: a string that is not any RFC 3339 offset breaks SP-5-a.
                rule = IsOffset(offset) ? "SP-5-b" : "SP-5-a";
                return false;
            }
            rule = "SP-5-d";
            if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month) || hour > 23 || minute > 59)
                return false;
            if (second > 60 || (second == 60 && (hour != 23 || minute != 59)))
            {
                rule = second == 60 ? "SP-5-e" : "SP-5-d";
                return false;
            }
            long days = DaysFromCivil(year, month, day);
            // Second 60 becomes the next second (SP-5-e): the arithmetic carries it.
            time = new SpTime(days * 86400 + hour * 3600 + minute * 60 + second, nanos);
            rule = null;
            return true;
        }

        static bool IsOffset(string o)
        {
            return o.Length == 6 && (o[0] == '+' || o[0] == '-') && char.IsDigit(o[1]) && char.IsDigit(o[2]) &&
                   o[3] == ':' && char.IsDigit(o[4]) && char.IsDigit(o[5]);
        }

        static bool Digits(string s, int at, int n, out int value)
        {
            value = 0;
            for (int i = at; i < at + n; i++)
            {
                if (s[i] < '0' || s[i] > '9')
                    return false;
                value = value * 10 + (s[i] - '0');
            }
            return true;
        }

        /// <summary>Days of a month; February has 29 in leap years (divisible by 4 and not by 100, or by 400).</summary>
        public static int DaysInMonth(int year, int month)
        {
            switch (month)
            {
                case 2:
                    return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28;
                case 4: case 6: case 9: case 11:
                    return 30;
                default:
                    return 31;
            }
        }

        // Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
        // days_from_civil), valid for years 0..9999 and beyond.
        static long DaysFromCivil(long y, int m, int d)
        {
            y -= m <= 2 ? 1 : 0;
            long era = (y >= 0 ? y : y - 399) / 400;
            long yoe = y - era * 400;
            long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
            long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
            return era * 146097 + doe - 719468;
        }

        /// <summary>
        /// The writers' form of SP-5-f, YYYY-MM-DDThh:mm:ss.fffZ (milliseconds,
        /// truncated). Throws ArgumentOutOfRangeException outside years 0..9999.
        /// </summary>
        public string Format()
        {
            long days = Seconds >= 0 ? Seconds / 86400 : (Seconds - 86399) / 86400;
            long secOfDay = Seconds - days * 86400;
            // civil_from_days
            long z = days + 719468;
            long era = (z >= 0 ? z : z - 146096) / 146097;
            long doe = z - era * 146097;
            long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
            long y = yoe + era * 400;
            long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
            long mp = (5 * doy + 2) / 153;
            long d = doy - (153 * mp + 2) / 5 + 1;
            long m = mp < 10 ? mp + 3 : mp - 9;
            if (m <= 2)
                y++;
            if (y < 0 || y > 9999)
                throw new ArgumentOutOfRangeException("this", "year " + y + " cannot be written in RFC 3339");
            var sb = new StringBuilder(24);
            sb.AppendFormat(CultureInfo.InvariantCulture, "{0:D4}-{1:D2}-{2:D2}T{3:D2}:{4:D2}:{5:D2}.{6:D3}Z",
                            y, m, d, secOfDay / 3600, secOfDay / 60 % 60, secOfDay % 60, Nanoseconds / 1000000);
            return sb.ToString();
        }

        public override string ToString() { return Format(); }
    }
}
