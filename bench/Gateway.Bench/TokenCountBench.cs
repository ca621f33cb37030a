using System.Diagnostics;
using Gateway.Metering.Tokens;
using Microsoft.ML.Tokenizers;

/// <summary>
/// Exact token counting (issue #7: admission counts every prompt): the gateway's <see cref="TiktokenCounter"/> against
/// Microsoft.ML.Tokenizers' <see cref="TiktokenTokenizer"/>, which it replaced. Load time, heap kept by one loaded
/// encoding, and counts per second on the benchmark's 1 KB prompt, 1 KB of English with typographic quotes, 1 KB of CJK (one text, and 2,000 in turn), a 64 KB mixed text and 64 KB of letters without a
/// break (one piece to merge: quadratic in the reference); arms alternate in rounds, the same counts asserted.
/// Usage: dotnet run -c Release --project bench/Gateway.Bench -- tokens [encoding] [rounds] [seconds per arm]
/// </summary>
internal static class TokenCountBench
{
    public static int Run(string[] args)
    {
        var encoding = args.Length > 1 ? args[1] : TiktokenEncodings.O200kBase;
        var rounds = args.Length > 2 ? int.Parse(args[2]) : 5;
        var seconds = args.Length > 3 ? double.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 1.0;

        var (oursLoad, oursHeap, ours) = Load(() => TiktokenEncodings.Create(encoding));
        var (refLoad, refHeap, reference) = Load(() => TiktokenTokenizer.CreateForEncoding(encoding));
        Console.WriteLine($"encoding {encoding}: load ours {oursLoad:F0} ms, reference {refLoad:F0} ms; heap kept ours {oursHeap / 1048576.0:F1} MB, reference {refHeap / 1048576.0:F1} MB ({(double)refHeap / oursHeap:F1}x)");

        var prompt = string.Concat(Enumerable.Repeat("The quick brown fox jumps over the lazy dog. ", 20)); // bench/chat.lua's
        var quoted = string.Concat(Enumerable.Repeat("She said “it’s fine” — then left. ", 30)); // English as pasted: a few characters beyond ASCII
        var mixed = string.Concat(Enumerable.Repeat("Hello, wörld! 日本語のテキスト。 def f(x): return x**2 # 12345 😀 https://example.com/a?b=c\n", 700));
        var random = new Random(3);
        var unbroken = new string(Enumerable.Range(0, 65_536).Select(_ => (char)('a' + random.Next(26))).ToArray()); // one "word": the merge path
        // 1 KB of CJK (330 characters, three bytes each): its pieces are whole phrases that take merges, so a repeated
        // text is counted from the kept counts, and 2,000 different texts in turn show what keeping them costs.
        const string han = "日本語中文文本很长的句子テキストです한국어的了是我不人在他有这个上们来到时大地为子中你说生国年着就那和要她出也得里后自以会家可下而过天去能对小多然于心学么之都好看起发当没成只如事把还用第样道想作种开美总从无情己面最女但现前些所同日手又行意动方期它头经长儿回位分爱老因很给名法间斯知世什两次使身者被高已亲其进此话常与活正感";
        var cjk = Enumerable.Range(0, 2_000).Select(_ => new string(Enumerable.Range(0, 330).Select(i => i % 7 == 6 ? '，' : han[random.Next(han.Length)]).ToArray())).ToArray();
        var turn = 0;
        (string Name, Func<string> Text)[] samples =
        [
            ("1 KB prompt", () => prompt), ("1 KB with typographic quotes", () => quoted), ("1 KB of CJK, the same text", () => cjk[0]),
            ("1 KB of CJK, 2,000 texts in turn", () => cjk[turn++ % cjk.Length]), ("64 KB mixed", () => mixed), ("64 KB without a break", () => unbroken),
        ];
        foreach (var (name, next) in samples)
        {
            var text = next();
            if (ours.Count(text) != reference.CountTokens(text))
            {
                Console.WriteLine($"MISMATCH on {name}: ours {ours.Count(text)}, reference {reference.CountTokens(text)}");
                return 1;
            }

            var oursRates = new List<double>();
            var refRates = new List<double>();
            for (var r = 0; r < rounds; r++)
            {
                oursRates.Add(Rate(() => ours.Count(next()), seconds));
                refRates.Add(Rate(() => reference.CountTokens(next()), seconds));
            }

            oursRates.Sort();
            refRates.Sort();
            var (o, rf) = (oursRates[rounds / 2], refRates[rounds / 2]);
            Console.WriteLine($"{name} ({ours.Count(text)} tokens): ours {o:F0} counts/s ({oursRates[0]:F0}-{oursRates[^1]:F0}), reference {rf:F0} ({refRates[0]:F0}-{refRates[^1]:F0}); ours/reference {o / rf:F2}x; allocated per count ours {Allocated(() => ours.Count(text))} B, reference {Allocated(() => reference.CountTokens(text))} B");
        }

        GC.KeepAlive(ours);
        GC.KeepAlive(reference);
        return 0;
    }

    private static (double Ms, long Heap, T Value) Load<T>(Func<T> create)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var watch = Stopwatch.StartNew();
        var value = create();
        var ms = watch.Elapsed.TotalMilliseconds;
        var heap = GC.GetTotalMemory(forceFullCollection: true) - before;
        return (ms, heap, value);
    }

    private static double Rate(Func<int> count, double seconds)
    {
        var watch = Stopwatch.StartNew();
        var n = 0;
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            count();
            n++;
        }

        return n / watch.Elapsed.TotalSeconds;
    }

    private static long Allocated(Func<int> count)
    {
        count();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            count();
        }

        return (GC.GetAllocatedBytesForCurrentThread() - before) / 100;
    }
}
