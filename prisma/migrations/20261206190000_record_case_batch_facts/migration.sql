-- kim_record_case_batch as before (20261206070000_record_case_batch), and the case's controlling facts in the same
-- statement: the record activity folds the batch onto the facts it wrote for the case's previous batch (kept in
-- memory by the worker process) and sends them with the batch ("facts": the stored columns and the lastSeq/version
-- they were folded onto, or none expected for a case's first batch). They are written only if the stored facts are
-- still exactly those (compare-and-set), so a record is one round trip; otherwise — another process wrote in between,
-- facts of another format, a rebuild, a worker without them in memory — nothing is written and the stored facts are
-- answered as before, for the activity to fold or refold them in a second statement.
CREATE OR REPLACE FUNCTION kim_record_case_batch(batch jsonb) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  case_id text := batch->>'caseId';
  last_seq integer := (batch->>'lastSeq')::integer;
  erased timestamp(3);
  inserted integer;
  facts jsonb;
  folded jsonb := batch->'facts';
  facts_written integer := 0;
BEGIN
  SELECT c."erasedAt" INTO erased FROM "Case" c WHERE c."id" = case_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'case % has no row in "Case"', case_id USING ERRCODE = 'foreign_key_violation';
  END IF;
  IF erased IS NOT NULL THEN
    RETURN jsonb_build_object('erased', true, 'inserted', 0);
  END IF;

  INSERT INTO "CaseEvent" ("id", "caseId", "seq", "eventKey", "type", "at", "actorId", "summary", "data")
  SELECT gen_random_uuid()::text, case_id, e.seq, case_id || ':' || e.seq, e.type,
         (e.at::timestamptz AT TIME ZONE 'UTC'), e."actorId", e.summary, COALESCE(e.data, '{}'::jsonb)
  FROM jsonb_to_recordset(batch->'events') AS e(seq integer, type text, at text, "actorId" text, summary text, data jsonb)
  ON CONFLICT DO NOTHING;
  GET DIAGNOSTICS inserted = ROW_COUNT;

  UPDATE "Case" SET
    "state" = batch->'readModel'->>'state',
    "onHold" = (batch->'readModel'->>'onHold')::boolean,
    "organisationId" = batch->'readModel'->>'organisationId',
    "assigneeId" = batch->'readModel'->>'assigneeId',
    "closedAt" = ((batch->'readModel'->>'closedAt')::timestamptz AT TIME ZONE 'UTC'),
    "nextDeadlineAt" = ((batch->'readModel'->'nextDeadline'->>'dueAt')::timestamptz AT TIME ZONE 'UTC'),
    "nextDeadlineKind" = batch->'readModel'->'nextDeadline'->>'kind',
    "lastEventSeq" = last_seq,
    "updatedAt" = (now() AT TIME ZONE 'UTC')
  WHERE "id" = case_id AND "lastEventSeq" <= last_seq;

  IF jsonb_typeof(batch->'snapshot') = 'object' THEN
    INSERT INTO "CaseSnapshot" ("caseId", "seq", "at", "data")
    VALUES (case_id, last_seq, ((batch->>'snapshotAt')::timestamptz AT TIME ZONE 'UTC'), batch->'snapshot')
    ON CONFLICT DO NOTHING;
  END IF;

  INSERT INTO "CaseDeadline" ("id", "caseId", "kind", "dueAt", "escalateAt", "status", "refId", "updatedSeq")
  SELECT d.id, case_id, d.kind, (d."dueAt"::timestamptz AT TIME ZONE 'UTC'), (d."escalateAt"::timestamptz AT TIME ZONE 'UTC'),
         d.status, d."refId", last_seq
  FROM jsonb_to_recordset(COALESCE(batch->'deadlines', '[]'::jsonb))
    AS d(id text, kind text, "dueAt" text, "escalateAt" text, status text, "refId" text)
  ON CONFLICT ("id") DO UPDATE SET
    "dueAt" = EXCLUDED."dueAt", "escalateAt" = EXCLUDED."escalateAt", "status" = EXCLUDED."status",
    "refId" = EXCLUDED."refId", "updatedSeq" = EXCLUDED."updatedSeq"
  WHERE "CaseDeadline"."updatedSeq" <= EXCLUDED."updatedSeq";

  INSERT INTO "Consent" ("id", "caseId", "scope", "decision", "partnerOrganisationId", "partnerName", "purpose",
                         "dataCategories", "recordedById", "recordedAt", "withdrawnAt", "withdrawnById")
  SELECT c.id, case_id, c.scope, c.decision, c."partnerOrganisationId", c."partnerName", c.purpose,
         ARRAY(SELECT jsonb_array_elements_text(COALESCE(c."dataCategories", '[]'::jsonb))), c."recordedBy",
         (c."recordedAt"::timestamptz AT TIME ZONE 'UTC'), (c."withdrawnAt"::timestamptz AT TIME ZONE 'UTC'), c."withdrawnBy"
  FROM jsonb_to_recordset(COALESCE(batch->'consents', '[]'::jsonb))
    AS c(id text, scope text, decision text, "partnerOrganisationId" text, "partnerName" text, purpose text,
         "dataCategories" jsonb, "recordedBy" text, "recordedAt" text, "withdrawnAt" text, "withdrawnBy" text)
  ON CONFLICT ("id") DO UPDATE SET
    "scope" = EXCLUDED."scope", "decision" = EXCLUDED."decision", "partnerOrganisationId" = EXCLUDED."partnerOrganisationId",
    "partnerName" = EXCLUDED."partnerName", "purpose" = EXCLUDED."purpose", "dataCategories" = EXCLUDED."dataCategories",
    "recordedById" = EXCLUDED."recordedById", "recordedAt" = EXCLUDED."recordedAt",
    "withdrawnAt" = EXCLUDED."withdrawnAt", "withdrawnById" = EXCLUDED."withdrawnById"
  WHERE "Consent"."withdrawnAt" IS NULL;

  INSERT INTO "Notification" ("id", "caseId", "kind", "deadlineKind", "recipientRole", "recipientUserId",
                              "recipientOrganisationId", "subject", "payload")
  SELECT n.id, case_id, n.kind, n."deadlineKind", n."recipientRole", n."recipientUserId", n."recipientOrganisationId",
         n.subject, COALESCE(n.payload, '{}'::jsonb)
  FROM jsonb_to_recordset(COALESCE(batch->'notifications', '[]'::jsonb))
    AS n(id text, kind text, "deadlineKind" text, "recipientRole" text, "recipientUserId" text,
         "recipientOrganisationId" text, subject text, payload jsonb)
  ON CONFLICT DO NOTHING;

  IF jsonb_typeof(folded) = 'object' THEN
    IF jsonb_typeof(folded->'expectedLastSeq') = 'number' THEN
      UPDATE "CaseFacts" SET
        "lastSeq" = (folded->>'lastSeq')::integer, "version" = (folded->>'version')::integer,
        "openedAt" = ((folded->>'openedAt')::timestamptz AT TIME ZONE 'UTC'),
        "facts" = (folded->>'facts')::json, "days" = (folded->>'days')::jsonb
      WHERE "caseId" = case_id AND "lastSeq" = (folded->>'expectedLastSeq')::integer
        AND "version" = (folded->>'expectedVersion')::integer;
    ELSE
      INSERT INTO "CaseFacts" ("caseId", "lastSeq", "version", "openedAt", "facts", "days")
      VALUES (case_id, (folded->>'lastSeq')::integer, (folded->>'version')::integer,
              ((folded->>'openedAt')::timestamptz AT TIME ZONE 'UTC'), (folded->>'facts')::json, (folded->>'days')::jsonb)
      ON CONFLICT ("caseId") DO NOTHING;
    END IF;
    GET DIAGNOSTICS facts_written = ROW_COUNT;
    IF facts_written = 1 THEN
      RETURN jsonb_build_object('erased', false, 'inserted', inserted, 'factsWritten', true);
    END IF;
  END IF;

  SELECT jsonb_build_object('lastSeq', f."lastSeq", 'version', f."version", 'facts', f."facts"::text, 'days', f."days")
    INTO facts FROM "CaseFacts" f WHERE f."caseId" = case_id;
  RETURN jsonb_build_object('erased', false, 'inserted', inserted, 'factsWritten', false, 'facts', facts);
END;
$$;
