"""The findings database: schema, saving and loading `ExtractResult`s."""
