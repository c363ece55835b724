using AntiFraud.Exchange.Contract.V1;
using AntiFraud.Exchange.Hub.Model;
using AntiFraud.Exchange.Hub.Shared;
using Microsoft.Data.Sqlite;

namespace AntiFraud.Exchange.Hub.Storage;

/// <summary>Bulk orders in the embedded store's database, through its single writer: one row per order, one per item.</summary>
internal sealed class SqliteBulkStore(SqliteExchangeStore exchanges) : IBulkStore
{
    private SqliteWriter Writer => exchanges.Writer;

    public Task<(BulkOrderState Order, bool Duplicate)> OpenAsync(string orderId, string owner, BulkOrderHeader header, int maxIncomplete,
        CancellationToken cancellationToken) =>
        Writer.ExecuteAsync(_ =>
        {
            var earlier = Writer.Command("SELECT id FROM bulk_orders WHERE owner = $o AND idempotency_key = $k", "$o", "$k");
            earlier.Parameters[0].Value = owner;
            earlier.Parameters[1].Value = header.IdempotencyKey;
            if (earlier.ExecuteScalar() is string id)
            {
                return (Read(id)!, true);
            }

            var open = Writer.Command("SELECT COUNT(*) FROM bulk_orders WHERE owner = $o AND received < total", "$o");
            open.Parameters[0].Value = owner;
            if ((long)open.ExecuteScalar()! >= maxIncomplete)
            {
                throw Refusal.ResourceExhausted($"header: '{owner}' already has {maxIncomplete} bulk orders whose upload is unfinished; "
                    + "finish one (Send again with its idempotency key) before opening another.");
            }

            var insert = Writer.Command("""
                INSERT INTO bulk_orders (id, owner, idempotency_key, recipient, total, received, header)
                VALUES ($id, $o, $k, $r, $t, 0, $h)
                """, "$id", "$o", "$k", "$r", "$t", "$h");
            var p = insert.Parameters;
            p[0].Value = orderId;
            p[1].Value = owner;
            p[2].Value = header.IdempotencyKey;
            p[3].Value = header.Recipient.Id;
            p[4].Value = header.Order.TotalItems;
            p[5].Value = exchanges.Cipher.Seal(header);
            insert.ExecuteNonQuery();
            return (Read(orderId)!, false);
        }, cancellationToken);

    private BulkOrderState? Read(string orderId)
    {
        var read = Writer.Command(Select + " WHERE id = $id", "$id");
        read.Parameters[0].Value = orderId;
        using var reader = read.ExecuteReader();
        return reader.Read() ? State(reader) : null;
    }

    private const string Select = "SELECT id, owner, header, received, answered, done, not_customer, closed, refused FROM bulk_orders";

    private BulkOrderState State(SqliteDataReader reader)
    {
        var header = exchanges.Cipher.Open(BulkOrderHeader.Parser, (byte[])reader[2]);
        return new BulkOrderState(reader.GetString(0), reader.GetString(1), header, (uint)reader.GetInt64(3), new BulkOutcomeCounts
        {
            Total = header.Order.TotalItems,
            Answered = (uint)reader.GetInt64(4),
            Done = (uint)reader.GetInt64(5),
            NotOurCustomer = (uint)reader.GetInt64(6),
            AlreadyClosed = (uint)reader.GetInt64(7),
            Refused = (uint)reader.GetInt64(8),
        });
    }

    public async Task<BulkOrderState?> GetAsync(string orderId, CancellationToken cancellationToken)
    {
        await using var connection = await exchanges.OpenReaderAsync(cancellationToken);
        await using var read = connection.CreateCommand();
        read.CommandText = Select + " WHERE id = $id";
        read.Parameters.AddWithValue("$id", orderId);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? State(reader) : null;
    }

    public Task<uint> AppendAsync(string orderId, IReadOnlyList<BulkItem> items, CancellationToken cancellationToken) =>
        Writer.ExecuteAsync(_ =>
        {
            var order = Read(orderId) ?? throw Refusal.NotFound($"order_id: '{orderId}' is not a bulk order.");
            var received = order.Received;
            var insert = Writer.Command("INSERT INTO bulk_items (order_id, item_no, item) VALUES ($o, $n, $i)", "$o", "$n", "$i");
            insert.Parameters[0].Value = orderId;
            foreach (var item in items)
            {
                if (item.ItemNo <= order.Received)
                {
                    continue;
                }

                BulkOrderRules.RequireNext(item, received);
                insert.Parameters[1].Value = item.ItemNo;
                insert.Parameters[2].Value = exchanges.Cipher.Seal(item);
                insert.ExecuteNonQuery();
                received = item.ItemNo;
            }

            var update = Writer.Command("UPDATE bulk_orders SET received = $r WHERE id = $id", "$r", "$id");
            update.Parameters[0].Value = received;
            update.Parameters[1].Value = orderId;
            update.ExecuteNonQuery();
            return received;
        }, cancellationToken);

    public async Task<IReadOnlyList<BulkItem>> ReadItemsAsync(string orderId, uint afterItem, int max, CancellationToken cancellationToken)
    {
        var list = new List<BulkItem>();
        await foreach (var row in RowsAsync("SELECT item FROM bulk_items WHERE order_id = $o AND item_no > $a ORDER BY item_no LIMIT $m",
            orderId, afterItem, max, cancellationToken))
        {
            list.Add(exchanges.Cipher.Open(BulkItem.Parser, (byte[])row[0]));
        }

        return list;
    }

    public Task<BulkRecorded> RecordAsync(string orderId, IReadOnlyList<BulkItemResult> results, CancellationToken cancellationToken) =>
        Writer.ExecuteAsync(_ =>
        {
            var order = Read(orderId) ?? throw Refusal.NotFound($"order_id: '{orderId}' is not a bulk order.");
            var counts = order.Counts.Clone();
            var recorded = 0;
            var update = Writer.Command("UPDATE bulk_items SET outcome = $k, result = $r WHERE order_id = $o AND item_no = $n AND outcome = 0",
                "$k", "$r", "$o", "$n");
            update.Parameters[2].Value = orderId;
            foreach (var result in results)
            {
                update.Parameters[0].Value = (int)result.Outcome;
                update.Parameters[1].Value = exchanges.Cipher.Seal(result);
                update.Parameters[3].Value = result.ItemNo;
                if (update.ExecuteNonQuery() == 1)
                {
                    BulkOrderRules.Count(counts, result.Outcome);
                    recorded++;
                }
            }

            var save = Writer.Command("""
                UPDATE bulk_orders SET answered = $a, done = $d, not_customer = $n, closed = $c, refused = $r WHERE id = $id
                """, "$a", "$d", "$n", "$c", "$r", "$id");
            var p = save.Parameters;
            p[0].Value = counts.Answered;
            p[1].Value = counts.Done;
            p[2].Value = counts.NotOurCustomer;
            p[3].Value = counts.AlreadyClosed;
            p[4].Value = counts.Refused;
            p[5].Value = orderId;
            save.ExecuteNonQuery();
            return new BulkRecorded(recorded, results.Count - recorded, counts);
        }, cancellationToken);

    public async Task<IReadOnlyList<(BulkItem Item, BulkItemResult? Result)>> ReadResultsAsync(string orderId, uint afterItem, int max,
        CancellationToken cancellationToken)
    {
        var list = new List<(BulkItem, BulkItemResult?)>();
        await foreach (var row in RowsAsync(
            "SELECT item, result FROM bulk_items WHERE order_id = $o AND item_no > $a ORDER BY item_no LIMIT $m", orderId, afterItem, max,
            cancellationToken))
        {
            list.Add((exchanges.Cipher.Open(BulkItem.Parser, (byte[])row[0]), row[1] is byte[] r ? exchanges.Cipher.Open(BulkItemResult.Parser, r) : null));
        }

        return list;
    }

    public async Task<IReadOnlyList<BulkItem>> UnansweredAsync(string orderId, int max, CancellationToken cancellationToken)
    {
        var list = new List<BulkItem>();
        await foreach (var row in RowsAsync(
            "SELECT item FROM bulk_items WHERE order_id = $o AND outcome = 0 AND item_no > $a ORDER BY item_no LIMIT $m", orderId, 0, max,
            cancellationToken))
        {
            list.Add(exchanges.Cipher.Open(BulkItem.Parser, (byte[])row[0]));
        }

        return list;
    }

    private async IAsyncEnumerable<object[]> RowsAsync(string sql, string orderId, uint afterItem, int max,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await exchanges.OpenReaderAsync(cancellationToken);
        await using var read = connection.CreateCommand();
        read.CommandText = sql;
        read.Parameters.AddWithValue("$o", orderId);
        read.Parameters.AddWithValue("$a", (long)afterItem);
        read.Parameters.AddWithValue("$m", max);
        await using var reader = await read.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            yield return row;
        }
    }
}
