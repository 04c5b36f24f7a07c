using NUnit.Framework;
using Splinter.Core;

namespace Splinter.Core.Tests
{
    /// <summary>Fault table (9.1), fault replies (9.2) and the announcement (10).</summary>
    [TestFixture]
    public class FaultReplyTests
    {
        static readonly SpTime Now = new SpTime(1767225600, 123456789);

        [TestCase(1000, "BAD_SCHEMA", "no (drop)")]
        [TestCase(1001, "TTL_EXPIRED", "yes")]
        [TestCase(2000, "NOT_AUTHORIZED", "yes")]
        [TestCase(3000, "UNKNOWN_TYPE", "no")]
        [TestCase(4100, "BACKPRESSURE", "yes (retry)")]
        [TestCase(4200, "STREAM_TIMEOUT", "yes (retry)")]
        [TestCase(5000, "INTERNAL_ERROR", "depends")]
        public void FaultTableRows(int code, string symbol, string recoverable)
        {
            FaultInfo row = FaultTable.Find(code);
            Assert.IsNotNull(row);
            Assert.AreEqual(symbol, row.Symbol);
            Assert.AreEqual(recoverable, row.Recoverable);
            Assert.AreSame(row, FaultTable.FindSymbol(symbol));
            Assert.IsNotEmpty(row.Description);
        }

        [Test]
        public void FaultTableHasSevenRows()
        {
            Assert.AreEqual(7, FaultTable.Rows.Count);
            Assert.IsNull(FaultTable.Find(4000));
        }

        static string Reply(string trigger, Fault f, string detail = null)
        {
            byte[] b = Lines.Bytes(trigger);
            return FaultReply.For(b, 0, b.Length, f, detail, "svc", Now);
        }

        [Test]
        public void ReplyShapeAndMemberOrder()
        {
            Assert.AreEqual(
                "{\"id\":\"" + Lines.Uuid7 + "\",\"ts\":\"2026-01-01T00:00:00.123Z\",\"from\":\"svc\",\"to\":\"chat\",\"type\":\"error\"," +
                "\"payload\":{\"code\":4100,\"symbol\":\"BACKPRESSURE\",\"detail\":\"inbox full\"}}",
                Reply(Lines.Query(), Fault.Backpressure, "inbox full"));
        }

        [Test]
        public void DetailDefaultsToTheDescription()
        {
            StringAssert.Contains("\"detail\":\"The type names none of the message types the receiver knows.\"",
                                  Reply(Lines.With("type", "\"nope\""), Fault.UnknownType));
        }

        [Test]
        public void ReplyIsItselfAValidEnvelope()
        {
            string r = Reply(Lines.Query(), Fault.TtlExpired, "a \"quoted\"\nline");
            Verdict v = Lines.Check(r);
            Assert.IsTrue(v.IsValid, v.ToString());
            Assert.AreEqual(MessageType.Error, v.Envelope.Type);
            Assert.AreEqual(1001L, v.Envelope.ErrorCode);
            Assert.AreEqual("a \"quoted\"\nline", v.Envelope.ErrorDetail);
        }

        // SP-9.2-b: id and to come from an otherwise invalid trigger.
        [TestCase("{\"id\":\"x\",\"from\":\"chat\"}")]
        [TestCase("{\"id\":\"x\",\"from\":\"chat\",\"type\":\"nope\",\"ts\":\"bad\"}")]
        [TestCase("{\"from\":\"chat\",\"id\":\"x\",\"seq\":1}")]
        public void ReplyToAnInvalidTrigger(string trigger)
        {
            string r = Reply(trigger, Fault.BadSchema);
            Assert.IsNotNull(r, trigger);
            StringAssert.StartsWith("{\"id\":\"x\",", r);
            StringAssert.Contains("\"to\":\"chat\"", r);
        }

        // SP-9.2-c/d: no reply possible.
        [TestCase("not json")]
        [TestCase("{\"id\":\"x\",\"from\":\"chat\",}")]
        [TestCase("{\"id\":\"\",\"from\":\"chat\"}")]
        [TestCase("{\"id\":\"x\",\"from\":\"\"}")]
        [TestCase("{\"id\":\"x\"}")]
        [TestCase("{\"id\":7,\"from\":\"chat\"}")]
        [TestCase("{\"id\":\"x\",\"from\":\"chat\",\"id\":\"y\"}")]
        [TestCase("{\"id\":\"x\",\"from\":\"chat\",\"type\":\"error\",\"payload\":{\"code\":1000,\"symbol\":\"BAD_SCHEMA\"}}")]
        [TestCase("{\"id\":\"x\",\"from\":\"chat\",\"type\":\"error\"}")]
        public void NoReplyPossible(string trigger)
        {
            Assert.IsNull(Reply(trigger, Fault.BadSchema), trigger);
        }

        [Test]
        public void UnknownCodeCannotBeSent()
        {
            Assert.Throws<System.ArgumentException>(() => FaultReply.ErrorEnvelope("x", "chat", (Fault)4000, null, "svc", Now));
        }

        [Test]
        public void Announcement()
        {
            string a = FaultReply.Announcement(Lines.Uuid7, "svc", Now);
            Verdict v = Lines.Check(a);
            Assert.IsTrue(v.IsValid, v.ToString());
            Assert.AreEqual(MessageType.Event, v.Envelope.Type);
            Assert.AreEqual("{\"splinter\":{\"versions\":[\"1.0\"]}}", v.Envelope.Payload.ToCompact());
            Assert.AreEqual("*", v.Envelope.To);
        }
    }
}
