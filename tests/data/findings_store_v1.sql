CREATE TABLE documents (
	id INTEGER NOT NULL, 
	sha256 VARCHAR(64) NOT NULL, 
	path TEXT NOT NULL, 
	format VARCHAR NOT NULL, 
	encoding VARCHAR, 
	pages INTEGER, 
	ocr BOOLEAN NOT NULL, 
	size_bytes BIGINT, 
	title TEXT, 
	published VARCHAR, 
	published_confidence FLOAT, 
	issued VARCHAR, 
	publisher TEXT, 
	kind VARCHAR NOT NULL, 
	text TEXT, 
	text_chars INTEGER NOT NULL, 
	status VARCHAR NOT NULL, 
	errors JSON NOT NULL, 
	versions JSON NOT NULL, 
	dated VARCHAR, 
	dated_start VARCHAR, 
	dated_end VARCHAR, 
	ingested_at DATETIME NOT NULL, 
	CONSTRAINT pk_documents PRIMARY KEY (id), 
	CONSTRAINT ck_documents_status CHECK (status IN ('ok', 'partial', 'failed')), 
	CONSTRAINT uq_documents_sha256 UNIQUE (sha256)
);

CREATE INDEX ix_documents_dated_start_dated_end ON documents (dated_start, dated_end);

CREATE INDEX ix_documents_published ON documents (published);

CREATE INDEX ix_documents_path ON documents (path);

CREATE TABLE failures (
	id INTEGER NOT NULL, 
	path TEXT NOT NULL, 
	sha256 VARCHAR(64), 
	stage VARCHAR NOT NULL, 
	message TEXT NOT NULL, 
	occurred_at DATETIME NOT NULL, 
	last_seen_at DATETIME NOT NULL, 
	attempts INTEGER NOT NULL, 
	resolved BOOLEAN NOT NULL, 
	resolved_at DATETIME, 
	CONSTRAINT pk_failures PRIMARY KEY (id)
);

CREATE INDEX ix_failures_resolved_path ON failures (resolved, path);

CREATE INDEX ix_failures_sha256 ON failures (sha256);

CREATE TABLE store_meta (
	"key" TEXT NOT NULL, 
	value TEXT NOT NULL, 
	CONSTRAINT pk_store_meta PRIMARY KEY ("key")
);

CREATE TABLE units (
	id INTEGER NOT NULL, 
	"key" TEXT NOT NULL, 
	name TEXT NOT NULL, 
	level VARCHAR NOT NULL, 
	parent TEXT, 
	province TEXT, 
	admin_code VARCHAR, 
	current_name TEXT, 
	current_province TEXT, 
	search_name TEXT NOT NULL, 
	CONSTRAINT pk_units PRIMARY KEY (id), 
	CONSTRAINT uq_units_key UNIQUE ("key")
);

CREATE INDEX ix_units_name ON units (name);

CREATE INDEX ix_units_admin_code ON units (admin_code);

CREATE TABLE dates (
	id INTEGER NOT NULL, 
	document_id INTEGER NOT NULL, 
	ordinal INTEGER NOT NULL, 
	iso VARCHAR NOT NULL, 
	end_iso VARCHAR, 
	time VARCHAR, 
	text TEXT NOT NULL, 
	role VARCHAR NOT NULL, 
	span_start INTEGER NOT NULL, 
	span_end INTEGER NOT NULL, 
	CONSTRAINT pk_dates PRIMARY KEY (id), 
	CONSTRAINT fk_dates_document_id_documents FOREIGN KEY(document_id) REFERENCES documents (id) ON DELETE CASCADE
);

CREATE INDEX ix_dates_document_id_role ON dates (document_id, role);

CREATE INDEX ix_dates_iso ON dates (iso);

CREATE TABLE document_units (
	id INTEGER NOT NULL, 
	document_id INTEGER NOT NULL, 
	unit_id INTEGER NOT NULL, 
	role VARCHAR NOT NULL, 
	ordinal INTEGER NOT NULL, 
	mentions JSON NOT NULL, 
	CONSTRAINT pk_document_units PRIMARY KEY (id), 
	CONSTRAINT uq_document_units_document_id_unit_id_role UNIQUE (document_id, unit_id, role), 
	CONSTRAINT ck_document_units_role CHECK (role IN ('inspected', 'inspector', 'mentioned')), 
	CONSTRAINT fk_document_units_document_id_documents FOREIGN KEY(document_id) REFERENCES documents (id) ON DELETE CASCADE, 
	CONSTRAINT fk_document_units_unit_id_units FOREIGN KEY(unit_id) REFERENCES units (id) ON DELETE CASCADE
);

CREATE INDEX ix_document_units_unit_id_role ON document_units (unit_id, role);

CREATE TABLE findings (
	id INTEGER NOT NULL, 
	document_id INTEGER NOT NULL, 
	ordinal INTEGER NOT NULL, 
	polarity VARCHAR NOT NULL, 
	category VARCHAR NOT NULL, 
	text TEXT NOT NULL, 
	span_start INTEGER NOT NULL, 
	span_end INTEGER NOT NULL, 
	confidence FLOAT NOT NULL, 
	needs_review BOOLEAN NOT NULL, 
	polarity_source VARCHAR NOT NULL, 
	quantity TEXT, 
	CONSTRAINT pk_findings PRIMARY KEY (id), 
	CONSTRAINT uq_findings_document_id_ordinal UNIQUE (document_id, ordinal), 
	CONSTRAINT ck_findings_polarity CHECK (polarity IN ('strength', 'limitation', 'recommendation')), 
	CONSTRAINT fk_findings_document_id_documents FOREIGN KEY(document_id) REFERENCES documents (id) ON DELETE CASCADE
);

CREATE INDEX ix_findings_polarity ON findings (polarity);

CREATE INDEX ix_findings_category_polarity ON findings (category, polarity);

CREATE TABLE legal_refs (
	id INTEGER NOT NULL, 
	document_id INTEGER NOT NULL, 
	ordinal INTEGER NOT NULL, 
	kind TEXT NOT NULL, 
	number TEXT, 
	date VARCHAR, 
	issuer TEXT, 
	text TEXT NOT NULL, 
	span_start INTEGER NOT NULL, 
	span_end INTEGER NOT NULL, 
	CONSTRAINT pk_legal_refs PRIMARY KEY (id), 
	CONSTRAINT fk_legal_refs_document_id_documents FOREIGN KEY(document_id) REFERENCES documents (id) ON DELETE CASCADE
);

CREATE INDEX ix_legal_refs_number ON legal_refs (number);

CREATE INDEX ix_legal_refs_document_id ON legal_refs (document_id);

CREATE TABLE corrections (
	id INTEGER NOT NULL, 
	finding_id INTEGER NOT NULL, 
	field VARCHAR NOT NULL, 
	old TEXT, 
	new TEXT, 
	who TEXT NOT NULL, 
	at DATETIME NOT NULL, 
	CONSTRAINT pk_corrections PRIMARY KEY (id), 
	CONSTRAINT fk_corrections_finding_id_findings FOREIGN KEY(finding_id) REFERENCES findings (id) ON DELETE CASCADE
);

CREATE INDEX ix_corrections_finding_id ON corrections (finding_id);

CREATE TABLE finding_units (
	finding_id INTEGER NOT NULL, 
	unit_id INTEGER NOT NULL, 
	ordinal INTEGER NOT NULL, 
	CONSTRAINT pk_finding_units PRIMARY KEY (finding_id, unit_id), 
	CONSTRAINT fk_finding_units_finding_id_findings FOREIGN KEY(finding_id) REFERENCES findings (id) ON DELETE CASCADE, 
	CONSTRAINT fk_finding_units_unit_id_units FOREIGN KEY(unit_id) REFERENCES units (id) ON DELETE CASCADE
);

CREATE INDEX ix_finding_units_unit_id ON finding_units (unit_id);
