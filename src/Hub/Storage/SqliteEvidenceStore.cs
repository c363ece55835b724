using AntiFraud.Exchange.Contract.V1;
using Google.Protobuf;

namespace AntiFraud.Exchange.Hub.Storage;

/// <summary>Committed bodies and disclosures in the embedded store's database, through its single writer.</summary>
internal sealed class SqliteEvidenceStore(SqliteExchangeStore exchanges) : IEvidenceStore
{
    private SqliteWriter Writer => exchanges.Writer;

    public Task SaveBodiesAsync(string origin, IReadOnlyList<CommittedBody> bodies, CancellationToken cancellationToken) =>
        Writer.ExecuteAsync(_ =>
        {
            var insert = Writer.Command("INSERT OR REPLACE INTO audit_bodies (origin, idx, exchange_id, record) VALUES ($o, $i, $e, $r)", "$o",
                "$i", "$e", "$r");
            foreach (var body in bodies)
            {
                insert.Parameters[0].Value = origin;
                insert.Parameters[1].Value = body.Index;
                insert.Parameters[2].Value = (object?)body.ExchangeId ?? DBNull.Value;
                insert.Parameters[3].Value = exchanges.Cipher.Seal(Seal(body));
                insert.ExecuteNonQuery();
            }

            return bodies.Count;
        }, cancellationToken);

    public Task<CommittedBody?> GetBodyAsync(string origin, long index, CancellationToken cancellationToken) =>
        Writer.ExecuteAsync(_ =>
        {
            var read = Writer.Command("SELECT exchange_id, record FROM audit_bodies WHERE origin = $o AND idx = $i", "$o", "$i");
            read.Parameters[0].Value = origin;
            read.Parameters[1].Value = index;
            using var reader = read.ExecuteReader();
            return reader.Read() ? Open(index, reader.IsDBNull(0) ? null : reader.GetString(0), (byte[])reader[1]) : null;
        }, cancellationToken);

    public Task<IReadOnlyList<long>> BodiesOfAsync(string origin, string exchangeId, CancellationToken cancellationToken) =>
        Writer.ExecuteAsync<IReadOnlyList<long>>(_ =>
        {
            var read = Writer.Command("SELECT idx FROM audit_bodies WHERE exchange_id = $e AND origin = $o ORDER BY idx LIMIT 10000", "$e", "$o");
            read.Parameters[0].Value = exchangeId;
            read.Parameters[1].Value = origin;
            using var reader = read.ExecuteReader();
            var list = new List<long>();
            while (reader.Read())
            {
                list.Add(reader.GetInt64(0));
            }

            return list;
        }, cancellationToken);

    public Task<Disclosure?> GetDisclosureAsync(string disclosureId, CancellationToken cancellationToken) =>
        Writer.ExecuteAsync(_ =>
        {
            var read = Writer.Command("SELECT record FROM disclosures WHERE id = $id", "$id");
            read.Parameters[0].Value = disclosureId;
            return read.ExecuteScalar() is byte[] blob ? exchanges.Cipher.Open(Disclosure.Parser, blob) : null;
        }, cancellationToken);

    public Task PutDisclosureAsync(Disclosure disclosure, CancellationToken cancellationToken) =>
        Writer.ExecuteAsync(_ =>
        {
            var write = Writer.Command("INSERT OR REPLACE INTO disclosures (id, at_ms, record) VALUES ($id, $at, $r)", "$id", "$at", "$r");
            write.Parameters[0].Value = disclosure.DisclosureId;
            write.Parameters[1].Value = disclosure.RequestedAt.ToDateTimeOffset().ToUnixTimeMilliseconds();
            write.Parameters[2].Value = exchanges.Cipher.Seal(disclosure);
            return write.ExecuteNonQuery();
        }, cancellationToken);

    public Task<IReadOnlyList<Disclosure>> ListDisclosuresAsync(int max, CancellationToken cancellationToken) =>
        Writer.ExecuteAsync<IReadOnlyList<Disclosure>>(_ =>
        {
            var read = Writer.Command("SELECT record FROM disclosures ORDER BY at_ms DESC, id DESC LIMIT $n", "$n");
            read.Parameters[0].Value = max;
            using var reader = read.ExecuteReader();
            var list = new List<Disclosure>();
            while (reader.Read())
            {
                list.Add(exchanges.Cipher.Open(Disclosure.Parser, (byte[])reader[0]));
            }

            return list;
        }, cancellationToken);

    /// <summary>The salt, type and body in one message, sealed as a whole.</summary>
    internal static CommitmentOpening Seal(CommittedBody body) => new()
    {
        Salt = ByteString.CopyFrom(body.Salt),
        BodyType = body.BodyType,
        Body = ByteString.CopyFrom(body.Body),
    };

    internal CommittedBody Open(long index, string? exchangeId, byte[] blob)
    {
        var opened = exchanges.Cipher.Open(CommitmentOpening.Parser, blob);
        return new CommittedBody(index, exchangeId, opened.Salt.ToByteArray(), opened.BodyType, opened.Body.ToByteArray());
    }
}
