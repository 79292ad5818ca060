// Runs SPARQL queries with Apache Jena ARQ (the query engine of Fuseki) over one TriG file, in one JVM.
// Usage: java -cp JENA_CLASSPATH RunQueries.java DATA.trig QUERY1.rq OUT1.json [QUERY2.rq OUT2.json ...]
// Each SELECT/ASK answer is written as W3C SPARQL 1.1 Query Results JSON; a query that fails writes
// "ERROR: message" instead, so that the test names it.
import java.io.FileOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.apache.jena.query.Dataset;
import org.apache.jena.query.Query;
import org.apache.jena.query.QueryExecution;
import org.apache.jena.query.QueryExecutionFactory;
import org.apache.jena.query.QueryFactory;
import org.apache.jena.query.ResultSetFormatter;
import org.apache.jena.riot.RDFDataMgr;

public class RunQueries {
    public static void main(String[] args) throws Exception {
        Dataset dataset = RDFDataMgr.loadDataset(args[0]);
        for (int i = 1; i + 1 < args.length; i += 2) {
            try (OutputStream out = new FileOutputStream(args[i + 1])) {
                try {
                    Query query = QueryFactory.create(Files.readString(Path.of(args[i])));
                    try (QueryExecution execution = QueryExecutionFactory.create(query, dataset)) {
                        if (query.isSelectType()) {
                            ResultSetFormatter.outputAsJSON(out, execution.execSelect());
                        } else if (query.isAskType()) {
                            ResultSetFormatter.outputAsJSON(out, execution.execAsk());
                        } else {
                            throw new IllegalArgumentException("only SELECT and ASK are compared");
                        }
                    }
                } catch (Exception e) {
                    out.write(("ERROR: " + e).getBytes(StandardCharsets.UTF_8));
                }
            }
        }
    }
}
