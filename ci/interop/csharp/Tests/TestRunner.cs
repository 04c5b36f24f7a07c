using System;
using System.Collections.Generic;
using System.Reflection;

namespace TamTam.Core.Tests
{
    /// <summary>Marks a public static parameterless method as a test.</summary>
    [AttributeUsage(AttributeTargets.Method)]
    sealed class TestAttribute : Attribute
    {
    }

    sealed class AssertionException : Exception
    {
        public AssertionException(string message) : base(message)
        {
        }
    }

    static class Assert
    {
        public static void Equal<T>(T expected, T actual, string what)
        {
            if (!EqualityComparer<T>.Default.Equals(expected, actual))
                throw new AssertionException(what + ": expected " + Show(expected) + ", got " + Show(actual));
        }

        public static void Bytes(byte[] expected, byte[] actual, string what)
        {
            if (actual == null || expected.Length != actual.Length)
                throw new AssertionException(what + ": expected " + expected.Length + " bytes, got " +
                                             (actual == null ? "null" : actual.Length.ToString()));
            for (int i = 0; i < expected.Length; i++)
                if (expected[i] != actual[i])
                    throw new AssertionException(what + ": byte " + i + " expected " +
                                                 expected[i].ToString("x2") + ", got " + actual[i].ToString("x2"));
        }

        public static void True(bool condition, string what)
        {
            if (!condition)
                throw new AssertionException(what);
        }

        public static TException Throws<TException>(Action action, string what) where TException : Exception
        {
            try
            {
                action();
            }
            catch (TException e)
            {
                return e;
            }
            catch (Exception e)
            {
                throw new AssertionException(what + ": expected " + typeof(TException).Name + ", got " + e.GetType().Name);
            }
            throw new AssertionException(what + ": expected " + typeof(TException).Name + ", nothing thrown");
        }

        static string Show<T>(T v)
        {
            if (v == null)
                return "null";
            if (v is byte)
                return "0x" + ((byte)(object)v).ToString("X2");
            return v.ToString();
        }
    }

    /// <summary>Runs every [Test] method of this assembly; exit 1 when any fails or none ran.</summary>
    static class TestRunner
    {
        static int Main(string[] args)
        {
            int passed = 0, failed = 0;
            foreach (Type type in typeof(TestRunner).Assembly.GetTypes())
            {
                foreach (MethodInfo m in type.GetMethods(BindingFlags.Public | BindingFlags.Static))
                {
                    if (m.GetCustomAttributes(typeof(TestAttribute), false).Length == 0)
                        continue;
                    string name = type.Name + "." + m.Name;
                    if (args.Length > 0 && Array.IndexOf(args, name) < 0)
                        continue;
                    try
                    {
                        m.Invoke(null, null);
                        passed++;
                        Console.WriteLine("ok   " + name);
                    }
                    catch (TargetInvocationException e)
                    {
                        failed++;
                        Console.WriteLine("FAIL " + name + ": " + e.InnerException.Message);
                        if (!(e.InnerException is AssertionException))
                            Console.WriteLine(e.InnerException.StackTrace);
                    }
                }
            }
            Console.WriteLine(passed + " passed, " + failed + " failed");
            return failed == 0 && passed > 0 ? 0 : 1;
        }
    }

    static class Bytes
    {
        /// <summary>Bytes from spaced hex as the spec writes them ("20 10 07").</summary>
        public static byte[] Hex(string spaced)
        {
            string s = spaced.Replace(" ", "");
            var b = new byte[s.Length / 2];
            for (int i = 0; i < b.Length; i++)
                b[i] = Convert.ToByte(s.Substring(2 * i, 2), 16);
            return b;
        }

        public static byte[] Concat(params byte[][] parts)
        {
            var all = new List<byte>();
            foreach (byte[] p in parts)
                all.AddRange(p);
            return all.ToArray();
        }

        public static byte[] Zeros(int n)
        {
            return new byte[n];
        }

        public static byte[] Ascii(string s)
        {
            return System.Text.Encoding.ASCII.GetBytes(s);
        }
    }
}
