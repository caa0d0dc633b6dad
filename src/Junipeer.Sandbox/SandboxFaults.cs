namespace Junipeer.Sandbox;

/// <summary>
/// Fault-injection knobs. They apply to the Visma ERP API paths (<c>/visma/...</c>) and the Centra GraphQL
/// endpoint only; never to the Visma Connect token endpoint or the control plane. Rolls use one seeded
/// <see cref="Random"/>, so a given seed and call sequence gives the same faults.
/// </summary>
public sealed class SandboxFaults
{
    private readonly Lock _gate = new();
    private Random _random;
    private double _visma5xxRate;
    private int _vismaLatencyMs;
    private double _vismaCommitThenDropRate;
    private string? _vismaCommitThenDropPath;
    private int _visma429Burst;
    private int _vismaCommitLateCount;
    private int _vismaCommitLateMs;
    private int _retryAfterSeconds = 1;
    private int _centra429Burst;
    private double _centra5xxRate;
    private double _centraCommitThenDropRate;
    private int _vismaGarbageCount;
    private int _centraGarbageCount;
    private string _garbageKind = GarbageKinds.Html;
    private int _seed;

    public SandboxFaults(int seed)
    {
        _seed = seed;
        _random = new Random(seed);
    }

    /// <summary>Probability (0..1) that a Visma API call answers 500 with an IPP body.</summary>
    public double Visma5xxRate { get { lock (_gate) { return _visma5xxRate; } } set { lock (_gate) { _visma5xxRate = value; } } }

    /// <summary>Delay added to each Visma API call.</summary>
    public int VismaLatencyMs { get { lock (_gate) { return _vismaLatencyMs; } } set { lock (_gate) { _vismaLatencyMs = value; } } }

    /// <summary>Probability (0..1) that a Visma write commits and then the connection is aborted.</summary>
    public double VismaCommitThenDropRate { get { lock (_gate) { return _vismaCommitThenDropRate; } } set { lock (_gate) { _vismaCommitThenDropRate = value; } } }

    /// <summary>
    /// When set, commit-then-drop applies only to writes whose path (after <c>/visma</c>) starts with
    /// this prefix, e.g. <c>/v1/customerPayment</c>; other writes are answered normally (and roll nothing).
    /// </summary>
    public string? VismaCommitThenDropPath { get { lock (_gate) { return _vismaCommitThenDropPath; } } set { lock (_gate) { _vismaCommitThenDropPath = value; } } }

    /// <summary>
    /// The next N Visma writes (limited by <see cref="VismaCommitThenDropPath"/> when set) are held for
    /// <see cref="VismaCommitLateMs"/> without answering, committed only then — after a client with a
    /// shorter timeout has given up — and the connection is dropped: a create that lands late.
    /// </summary>
    public int VismaCommitLateCount { get { lock (_gate) { return _vismaCommitLateCount; } } set { lock (_gate) { _vismaCommitLateCount = value; } } }

    /// <summary>How long a commit-late write is held before it commits.</summary>
    public int VismaCommitLateMs { get { lock (_gate) { return _vismaCommitLateMs; } } set { lock (_gate) { _vismaCommitLateMs = value; } } }

    /// <summary>The next N Visma API calls answer 429 with <c>Retry-After: RetryAfterSeconds</c>.</summary>
    public int Visma429Burst { get { lock (_gate) { return _visma429Burst; } } set { lock (_gate) { _visma429Burst = value; } } }

    /// <summary>Retry-After used by the 429 bursts (seconds; Centra adds it to the clock for its HTTP-date).</summary>
    public int RetryAfterSeconds { get { lock (_gate) { return _retryAfterSeconds; } } set { lock (_gate) { _retryAfterSeconds = value; } } }

    /// <summary>The next N Centra GraphQL calls answer 429.</summary>
    public int Centra429Burst { get { lock (_gate) { return _centra429Burst; } } set { lock (_gate) { _centra429Burst = value; } } }

    /// <summary>Probability (0..1) that a Centra GraphQL call answers 500 before running.</summary>
    public double Centra5xxRate { get { lock (_gate) { return _centra5xxRate; } } set { lock (_gate) { _centra5xxRate = value; } } }

    /// <summary>Probability (0..1) that a Centra mutation runs and then the connection is aborted (reply lost).</summary>
    public double CentraCommitThenDropRate { get { lock (_gate) { return _centraCommitThenDropRate; } } set { lock (_gate) { _centraCommitThenDropRate = value; } } }

    /// <summary>The next N Visma API calls answer 200 with a body that is not the documented JSON (<see cref="GarbageKind"/>); nothing is committed.</summary>
    public int VismaGarbageCount { get { lock (_gate) { return _vismaGarbageCount; } } set { lock (_gate) { _vismaGarbageCount = value; } } }

    /// <summary>The next N Centra GraphQL calls answer 200 with a body that is not GraphQL JSON (<see cref="GarbageKind"/>); nothing runs.</summary>
    public int CentraGarbageCount { get { lock (_gate) { return _centraGarbageCount; } } set { lock (_gate) { _centraGarbageCount = value; } } }

    /// <summary>What the garbage bodies look like: one of <see cref="GarbageKinds"/>.</summary>
    public string GarbageKind { get { lock (_gate) { return _garbageKind; } } set { lock (_gate) { _garbageKind = value; } } }

    public int Seed
    {
        get { lock (_gate) { return _seed; } }
        set { lock (_gate) { _seed = value; _random = new Random(value); } }
    }

    /// <summary>Replaces all knobs at once (the <c>PUT /_sandbox/faults</c> semantics).</summary>
    public void Apply(FaultSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        lock (_gate)
        {
            _visma5xxRate = settings.Visma5xxRate;
            _vismaLatencyMs = settings.VismaLatencyMs;
            _vismaCommitThenDropRate = settings.VismaCommitThenDropRate;
            _vismaCommitThenDropPath = settings.VismaCommitThenDropPath;
            _visma429Burst = settings.Visma429Burst;
            _vismaCommitLateCount = settings.VismaCommitLateCount;
            _vismaCommitLateMs = settings.VismaCommitLateMs;
            _retryAfterSeconds = settings.RetryAfterSeconds;
            _centra429Burst = settings.Centra429Burst;
            _centra5xxRate = settings.Centra5xxRate;
            _centraCommitThenDropRate = settings.CentraCommitThenDropRate;
            _vismaGarbageCount = settings.VismaGarbageCount;
            _centraGarbageCount = settings.CentraGarbageCount;
            _garbageKind = settings.GarbageKind ?? GarbageKinds.Html;
            if (settings.Seed is { } seed)
            {
                _seed = seed;
                _random = new Random(seed);
            }
        }
    }

    public FaultSettings Snapshot()
    {
        lock (_gate)
        {
            return new FaultSettings
            {
                Visma5xxRate = _visma5xxRate,
                VismaLatencyMs = _vismaLatencyMs,
                VismaCommitThenDropRate = _vismaCommitThenDropRate,
                VismaCommitThenDropPath = _vismaCommitThenDropPath,
                Visma429Burst = _visma429Burst,
                VismaCommitLateCount = _vismaCommitLateCount,
                VismaCommitLateMs = _vismaCommitLateMs,
                RetryAfterSeconds = _retryAfterSeconds,
                Centra429Burst = _centra429Burst,
                Centra5xxRate = _centra5xxRate,
                CentraCommitThenDropRate = _centraCommitThenDropRate,
                VismaGarbageCount = _vismaGarbageCount,
                CentraGarbageCount = _centraGarbageCount,
                GarbageKind = _garbageKind,
                Seed = _seed,
            };
        }
    }

    internal void Reset(int seed) => Apply(new FaultSettings { Seed = seed });

    /// <summary>Consumes one unit of the Visma 429 burst; returns the Retry-After seconds or null.</summary>
    internal int? TakeVisma429() => Count("visma429", TakeVisma429Core());

    private int? TakeVisma429Core()
    {
        lock (_gate)
        {
            if (_visma429Burst <= 0)
            {
                return null;
            }

            _visma429Burst--;
            return _retryAfterSeconds;
        }
    }

    internal int? TakeCentra429() => Count("centra429", TakeCentra429Core());

    private int? TakeCentra429Core()
    {
        lock (_gate)
        {
            if (_centra429Burst <= 0)
            {
                return null;
            }

            _centra429Burst--;
            return _retryAfterSeconds;
        }
    }

    /// <summary>Consumes one commit-late write for the path; returns the hold in ms or null.</summary>
    internal int? TakeCommitLate(string path) => Count("vismaCommitLate", TakeCommitLateCore(path));

    private int? TakeCommitLateCore(string path)
    {
        lock (_gate)
        {
            if (_vismaCommitLateCount <= 0 || _vismaCommitLateMs <= 0
                || (_vismaCommitThenDropPath is { } only && !path.StartsWith(only, StringComparison.OrdinalIgnoreCase)))
            {
                return null;
            }

            _vismaCommitLateCount--;
            return _vismaCommitLateMs;
        }
    }

    /// <summary>Consumes one Visma garbage answer; returns its kind or null.</summary>
    internal string? TakeVismaGarbage() => Count("vismaGarbage", TakeVismaGarbageCore());

    private string? TakeVismaGarbageCore()
    {
        lock (_gate)
        {
            if (_vismaGarbageCount <= 0)
            {
                return null;
            }

            _vismaGarbageCount--;
            return _garbageKind;
        }
    }

    /// <summary>Consumes one Centra garbage answer; returns its kind or null.</summary>
    internal string? TakeCentraGarbage() => Count("centraGarbage", TakeCentraGarbageCore());

    private string? TakeCentraGarbageCore()
    {
        lock (_gate)
        {
            if (_centraGarbageCount <= 0)
            {
                return null;
            }

            _centraGarbageCount--;
            return _garbageKind;
        }
    }

    /// <summary>The body a garbage answer carries for <paramref name="kind"/>.</summary>
    public static string GarbageBody(string kind) => kind switch
    {
        GarbageKinds.Truncated => "{\"data\":{\"orders\":[{\"number\":10",
        GarbageKinds.WrongShape => "[[1,2,3],\"not an object\",null]",
        GarbageKinds.Empty => "",
        GarbageKinds.NotUtf8 => "\uFFFD\uFFFD{\u0000\u0001",
        _ => "<html><head><title>502 Bad Gateway</title></head><body>upstream maintenance</body></html>",
    };

    internal bool RollVisma5xx() => Count("visma5xx", Roll(() => _visma5xxRate));

    internal bool RollCentra5xx() => Count("centra5xx", Roll(() => _centra5xxRate));

    internal bool RollCentraCommitThenDrop() => Count("centraCommitThenDrop", Roll(() => _centraCommitThenDropRate));

    internal bool RollCommitThenDrop(string path) =>
        Count("vismaCommitThenDrop", Roll(() => _vismaCommitThenDropPath is { } only && !path.StartsWith(only, StringComparison.OrdinalIgnoreCase) ? 0 : _vismaCommitThenDropRate));

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, long> _injected = new(StringComparer.Ordinal);

    /// <summary>How often each fault kind actually fired since start (visma5xx, visma429, vismaCommitThenDrop, vismaCommitLate, vismaGarbage, centra5xx, centra429, centraCommitThenDrop, centraGarbage).</summary>
    public IReadOnlyDictionary<string, long> Injected => new SortedDictionary<string, long>(_injected, StringComparer.Ordinal);

    private bool Count(string kind, bool fired)
    {
        if (fired)
            _injected.AddOrUpdate(kind, 1, (_, n) => n + 1);
        return fired;
    }

    private T? Count<T>(string kind, T? taken) where T : class
    {
        if (taken is not null)
            _injected.AddOrUpdate(kind, 1, (_, n) => n + 1);
        return taken;
    }

    private int? Count(string kind, int? taken)
    {
        if (taken is not null)
            _injected.AddOrUpdate(kind, 1, (_, n) => n + 1);
        return taken;
    }

    private bool Roll(Func<double> rate)
    {
        lock (_gate)
        {
            var r = rate();
            return r > 0 && _random.NextDouble() < r;
        }
    }
}

/// <summary>Body of <c>PUT /_sandbox/faults</c>; absent fields reset to their defaults.</summary>
public sealed class FaultSettings
{
    public double Visma5xxRate { get; set; }

    public int VismaLatencyMs { get; set; }

    public double VismaCommitThenDropRate { get; set; }

    /// <summary>Optional path prefix (after <c>/visma</c>) limiting commit-then-drop to some writes.</summary>
    public string? VismaCommitThenDropPath { get; set; }

    public int Visma429Burst { get; set; }

    /// <summary>The next N matching writes commit only after <see cref="VismaCommitLateMs"/>, then drop.</summary>
    public int VismaCommitLateCount { get; set; }

    public int VismaCommitLateMs { get; set; }

    public int RetryAfterSeconds { get; set; } = 1;

    public int Centra429Burst { get; set; }

    public double Centra5xxRate { get; set; }

    public double CentraCommitThenDropRate { get; set; }

    /// <summary>The next N Visma API calls answer 200 with garbage (see <see cref="GarbageKind"/>); nothing commits.</summary>
    public int VismaGarbageCount { get; set; }

    /// <summary>The next N Centra GraphQL calls answer 200 with garbage; nothing runs.</summary>
    public int CentraGarbageCount { get; set; }

    /// <summary>One of <see cref="GarbageKinds"/> (default html).</summary>
    public string? GarbageKind { get; set; }

    /// <summary>When set, reseeds the fault random generator.</summary>
    public int? Seed { get; set; }
}

/// <summary>Shapes of the garbage answers (<see cref="SandboxFaults.GarbageKind"/>).</summary>
public static class GarbageKinds
{
    /// <summary>An HTML gateway page with status 200.</summary>
    public const string Html = "html";

    /// <summary>JSON cut off in the middle.</summary>
    public const string Truncated = "truncated";

    /// <summary>Valid JSON of the wrong shape (an array of mixed values).</summary>
    public const string WrongShape = "wrong-shape";

    /// <summary>An empty body with status 200.</summary>
    public const string Empty = "empty";

    /// <summary>Replacement characters and control characters.</summary>
    public const string NotUtf8 = "binary";
}
