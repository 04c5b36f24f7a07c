using NUnit.Framework;
using Splinter.Core;

namespace Splinter.Core.Tests
{
    /// <summary>RFC 3339 in UTC as spec section 5 restricts it.</summary>
    [TestFixture]
    public class SpTimeTests
    {
        // (text, seconds since the epoch, nanoseconds): known POSIX times.
        [TestCase("1970-01-01T00:00:00Z", 0L, 0)]
        [TestCase("1970-01-01t00:00:00z", 0L, 0)]
        [TestCase("1970-01-01T00:00:00+00:00", 0L, 0)]
        [TestCase("2026-01-01T00:00:00.000Z", 1767225600L, 0)]
        [TestCase("2026-01-01T00:00:00.5Z", 1767225600L, 500000000)]
        [TestCase("2026-01-01T00:00:00.123456789Z", 1767225600L, 123456789)]
        [TestCase("2000-02-29T12:00:00Z", 951825600L, 0)]
        [TestCase("2024-02-29T00:00:00Z", 1709164800L, 0)]
        [TestCase("1969-12-31T23:59:59Z", -1L, 0)]
        [TestCase("0000-01-01T00:00:00Z", -62167219200L, 0)]
        [TestCase("9999-12-31T23:59:59.999999999Z", 253402300799L, 999999999)]
        // SP-5-e: 23:59:60 is the next second, same fraction.
        [TestCase("2016-12-31T23:59:60.25Z", 1483228800L, 250000000)]
        [TestCase("2023-06-30T23:59:60Z", 1688169600L, 0)]
        public void ValidTimes(string text, long seconds, int nanos)
        {
            SpTime t;
            string rule;
            Assert.IsTrue(SpTime.TryParse(text, out t, out rule), text + ": " + rule);
            Assert.AreEqual(seconds, t.Seconds, "seconds");
            Assert.AreEqual(nanos, t.Nanoseconds, "nanoseconds");
        }

        [TestCase("2026-01-01T00:00:00-00:00", "SP-5-b")]
        [TestCase("2026-01-01T00:00:00+01:00", "SP-5-b")]
        [TestCase("2026-01-01T00:00:00-05:00", "SP-5-b")]
        [TestCase("2026-01-01T00:00:00", "SP-5-a")]
        [TestCase("2026-01-01 00:00:00Z", "SP-5-a")]
        [TestCase("2026-1-01T00:00:00Z", "SP-5-a")]
        [TestCase("26-01-01T00:00:00Z", "SP-5-a")]
        [TestCase("2026-01-01T00:00Z", "SP-5-a")]
        [TestCase("2026-01-01T00:00:00UTC", "SP-5-a")]
        [TestCase("2026-01-01T00:00:00.Z", "SP-5-c")]
        [TestCase("2026-01-01T00:00:00.1234567890Z", "SP-5-c")]
        [TestCase("2026-13-01T00:00:00Z", "SP-5-d")]
        [TestCase("2026-00-01T00:00:00Z", "SP-5-d")]
        [TestCase("2026-01-00T00:00:00Z", "SP-5-d")]
        [TestCase("2026-01-32T00:00:00Z", "SP-5-d")]
        [TestCase("2026-04-31T00:00:00Z", "SP-5-d")]
        [TestCase("1900-02-29T00:00:00Z", "SP-5-d")]
        [TestCase("2023-02-29T00:00:00Z", "SP-5-d")]
        [TestCase("2026-01-01T24:00:00Z", "SP-5-d")]
        [TestCase("2026-01-01T00:60:00Z", "SP-5-d")]
        [TestCase("2026-01-01T00:00:61Z", "SP-5-d")]
        [TestCase("2026-01-01T23:58:60Z", "SP-5-e")]
        [TestCase("2026-01-01T12:59:60Z", "SP-5-e")]
        [TestCase("", "SP-5-a")]
        public void InvalidTimes(string text, string rule)
        {
            SpTime t;
            string why;
            Assert.IsFalse(SpTime.TryParse(text, out t, out why), text);
            Assert.AreEqual(rule, why, text);
        }

        [Test]
        public void FormatIsMillisecondsTruncatedUpperCase()
        {
            Assert.AreEqual("2026-01-01T00:00:00.123Z", new SpTime(1767225600, 123999999).Format());
            Assert.AreEqual("1969-12-31T23:59:59.000Z", new SpTime(-1, 0).Format());
            Assert.AreEqual("2000-02-29T12:00:00.000Z", new SpTime(951825600, 0).Format());
        }

        [Test]
        public void AddMillisecondsCarriesIntoSeconds()
        {
            SpTime t = new SpTime(10, 999500000).AddMilliseconds(1);
            Assert.AreEqual(11L, t.Seconds);
            Assert.AreEqual(500000, t.Nanoseconds);
            Assert.AreEqual(new SpTime(9007199254740L + 10, 991000000 + 0), new SpTime(10, 0).AddMilliseconds(9007199254740991UL));
        }

        [Test]
        public void ComparesToTheNanosecond()
        {
            Assert.IsTrue(new SpTime(5, 1) > new SpTime(5, 0));
            Assert.IsTrue(new SpTime(4, 999999999) < new SpTime(5, 0));
            Assert.IsTrue(new SpTime(5, 0) <= new SpTime(5, 0));
        }
    }
}
