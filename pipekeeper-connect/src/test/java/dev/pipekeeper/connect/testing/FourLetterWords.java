package dev.pipekeeper.connect.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** What a ZooKeeper server says of itself through its four-letter words. */
public final class FourLetterWords {
  private static final Pattern SESSION = Pattern.compile("sid=0x([0-9a-f]+)");

  private FourLetterWords() {}

  /** The ids of the sessions connected to the server now ({@code cons}). */
  public static Set<Long> sessions(String host, int port) {
    Set<Long> ids = new TreeSet<>();
    Matcher m = SESSION.matcher(send(host, port, "cons"));
    while (m.find()) {
      ids.add(Long.parseUnsignedLong(m.group(1), 16));
    }
    return ids;
  }

  /** The server's answer to {@code word}. */
  public static String send(String host, int port, String word) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress(host, port), 5_000);
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write(word.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      return out.toString(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
