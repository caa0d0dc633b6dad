using Junipeer.Core.Sync;
using Junipeer.Storage;

namespace Junipeer.Tests.Rails;

/// <summary>The group commit behind the webhook acknowledgement: who is written when, and who hears of a failure.</summary>
public class GroupCommitTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_lone_caller_is_written_at_once_and_callers_arriving_during_a_flush_share_the_next_one()
    {
        var flushes = new List<List<int[]>>();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var commit = new GroupCommit<int>(async (groups, _) =>
        {
            lock (flushes)
            {
                flushes.Add(groups.Select(g => g.ToArray()).ToList());
            }

            if (flushes.Count == 1)
            {
                await gate.Task;
            }
        });

        var first = commit.SubmitAsync([1], Ct);
        Assert.Single(flushes); // written on the caller's own turn: no waiting window
        var others = Enumerable.Range(2, 15).Select(i => commit.SubmitAsync([i, i * 100], Ct)).ToList();
        Assert.Equal(15, commit.Waiting);
        Assert.False(first.IsCompleted);
        Assert.All(others, t => Assert.False(t.IsCompleted));

        gate.SetResult();
        await first;
        await Task.WhenAll(others);

        Assert.Equal(2, flushes.Count);
        Assert.Equal([1], Assert.Single(flushes[0]));
        Assert.Equal(Enumerable.Range(2, 15).Select(i => new[] { i, i * 100 }), flushes[1]); // arrival order, groups intact
        Assert.Equal(2, commit.Flushes);
        Assert.Equal(0, commit.Waiting);
    }

    [Fact]
    public async Task A_failed_flush_fails_exactly_its_callers_and_the_next_flush_still_runs()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var written = new List<int>();
        var calls = 0;
        var commit = new GroupCommit<int>(async (groups, _) =>
        {
            var call = Interlocked.Increment(ref calls);
            if (call == 1)
            {
                await gate.Task;
            }

            if (call == 2)
            {
                throw new IOException("queue unavailable (injected)");
            }

            lock (written)
            {
                written.AddRange(groups.SelectMany(g => g));
            }
        });

        var a = commit.SubmitAsync([1], Ct);
        var b = commit.SubmitAsync([2], Ct);
        var c = commit.SubmitAsync([3], Ct);
        gate.SetResult();
        await a;
        Assert.Equal("queue unavailable (injected)", (await Assert.ThrowsAsync<IOException>(() => b)).Message);
        await Assert.ThrowsAsync<IOException>(() => c);

        await commit.SubmitAsync([4], Ct); // the committer is not stuck after a failure
        Assert.Equal([1, 4], written);
    }

    [Fact]
    public async Task One_flush_carries_at_most_the_configured_number_of_callers()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sizes = new List<int>();
        var commit = new GroupCommit<int>(async (groups, _) =>
        {
            lock (sizes)
            {
                sizes.Add(groups.Count);
            }

            if (sizes.Count == 1)
            {
                await gate.Task;
            }
        }, maxGroupsPerFlush: 3);

        var all = Enumerable.Range(0, 8).Select(i => commit.SubmitAsync([i], Ct)).ToList();
        gate.SetResult();
        await Task.WhenAll(all);
        Assert.Equal([1, 3, 3, 1], sizes);
    }

    [Fact]
    public async Task A_cancelled_caller_stops_waiting_and_its_items_are_still_written()
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var written = new List<int>();
        var commit = new GroupCommit<int>(async (groups, _) =>
        {
            if (groups.Any(g => g.Contains(1)))
            {
                await gate.Task;
            }

            lock (written)
            {
                written.AddRange(groups.SelectMany(g => g));
            }
        });

        var first = commit.SubmitAsync([1], Ct);
        using var cts = new CancellationTokenSource();
        var cancelled = commit.SubmitAsync([2], cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        gate.SetResult();
        await first;
        await commit.SubmitAsync([3], Ct);
        Assert.Equal([1, 2, 3], written); // a cancelled webhook may still be written; its sender's retry is harmless
    }

    [Fact]
    public void Batches_stay_under_the_queue_message_limit_and_keep_every_item_in_order()
    {
        var now = DateTimeOffset.UnixEpoch;
        var items = Enumerable.Range(1, 2000)
            .Select(i => new IntakeItem(WorkItem.ForOrder("tenant-a", i.ToString(System.Globalization.CultureInfo.InvariantCulture), WorkReasons.Webhook, $"wh-{Guid.NewGuid():N}", now),
                i % 7 == 0 ? TimeSpan.FromSeconds(30) : null))
            .ToList();

        var batches = GroupCommitIntakeQueue.Chunk(items).ToList();

        Assert.True(batches.Count > 1);
        foreach (var b in batches)
        {
            var json = System.Text.Json.JsonSerializer.Serialize(b, Junipeer.Core.JunipeerJson.Options);
            Assert.True(json.Length <= GroupCommitIntakeQueue.MaxBatchChars, $"{json.Length} chars");
            // Base64 of the UTF-8 JSON (what the trigger reads) stays under the 64 KiB message limit.
            Assert.True(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(json)).Length < 64 * 1024);
            Assert.Equal(b.Items, WorkBatch.TryParse(json)!.Items); // round trip, delays included
        }

        Assert.Equal(items, batches.SelectMany(b => b.Items));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("{\"v\":1,\"kind\":\"intake-batch\",\"items\":[]}")]
    [InlineData("{\"v\":2,\"kind\":\"intake-batch\",\"items\":[{\"item\":{\"v\":1,\"kind\":\"order\",\"integrationId\":\"a\",\"entityKey\":\"1\",\"reason\":\"webhook\",\"correlationId\":\"c\"}}]}")]
    [InlineData("{\"v\":1,\"kind\":\"order\",\"integrationId\":\"a\",\"entityKey\":\"1\",\"reason\":\"webhook\",\"correlationId\":\"c\"}")]
    [InlineData("{\"v\":1,\"kind\":\"intake-batch\",\"items\":[{\"item\":{\"v\":1,\"kind\":\"order\",\"integrationId\":\"\",\"entityKey\":\"1\",\"reason\":\"webhook\",\"correlationId\":\"c\"}}]}")]
    [InlineData("{\"v\":1,\"kind\":\"intake-batch\",\"items\":[null]}")]
    public void An_unreadable_batch_is_refused(string body) => Assert.Null(WorkBatch.TryParse(body));
}
