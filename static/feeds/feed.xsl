<?xml version="1.0" encoding="utf-8"?>
<!-- Shows an RSS 2.0 or Atom 1.0 feed of Dossier as a page when someone opens it in a browser:
     what a feed is, how to follow it, and the entries. Feed readers never apply it. -->
<xsl:stylesheet version="1.0"
                xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
                xmlns:atom="http://www.w3.org/2005/Atom"
                xmlns:dc="http://purl.org/dc/elements/1.1/"
                exclude-result-prefixes="atom dc">
  <xsl:output method="html" version="5.0" encoding="utf-8" indent="yes" doctype-system="about:legacy-compat"/>

  <xsl:variable name="title" select="/rss/channel/title | /atom:feed/atom:title"/>
  <xsl:variable name="site" select="/rss/channel/link | /atom:feed/atom:link[@rel='alternate']/@href"/>
  <xsl:variable name="self" select="/rss/channel/atom:link[@rel='self']/@href | /atom:feed/atom:link[@rel='self']/@href"/>

  <xsl:template match="/">
    <html lang="en">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <meta name="robots" content="noindex"/>
        <title><xsl:value-of select="$title"/> (feed)</title>
        <link rel="stylesheet" href="/static/css/site.css"/>
      </head>
      <body>
        <header class="site-header">
          <div class="wrap site-header-inner"><a class="site-name" href="/">Home</a></div>
        </header>
        <main id="main" class="wrap feed-preview">
          <header class="page-header">
            <p class="kicker">Feed</p>
            <h1><xsl:value-of select="$title"/></h1>
            <p class="lede"><xsl:value-of select="/rss/channel/description | /atom:feed/atom:subtitle"/></p>
          </header>
          <section class="panel feed-help" aria-labelledby="what">
            <h2 id="what">This is a feed</h2>
            <p>A feed brings every new brief to you, in a feed reader of your choice, without an account
            and without email. To follow it, copy this page's address into your reader
            (NetNewsWire, Feedly, Inoreader, Thunderbird, newsboat…):</p>
            <p class="feed-address"><code><xsl:value-of select="$self"/></code></p>
            <p>Readers check it regularly and show what is new. <a href="{$site}">Back to the website</a>.</p>
          </section>
          <section aria-labelledby="entries">
            <h2 id="entries">Latest in this feed</h2>
            <div class="cards">
              <xsl:apply-templates select="/rss/channel/item | /atom:feed/atom:entry"/>
            </div>
          </section>
        </main>
      </body>
    </html>
  </xsl:template>

  <xsl:template match="item">
    <article class="card">
      <p class="kicker"><xsl:value-of select="substring(pubDate, 6, 11)"/></p>
      <h3 class="card-title"><a href="{link}"><xsl:value-of select="title"/></a></h3>
      <p class="card-summary"><xsl:value-of select="description"/></p>
      <xsl:if test="dc:creator">
        <p class="byline">By <xsl:for-each select="dc:creator"><xsl:value-of select="."/><xsl:if test="position() != last()">, </xsl:if></xsl:for-each></p>
      </xsl:if>
    </article>
  </xsl:template>

  <xsl:template match="atom:entry">
    <article class="card">
      <p class="kicker"><xsl:value-of select="substring(atom:published, 1, 10)"/></p>
      <h3 class="card-title"><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h3>
      <p class="card-summary"><xsl:value-of select="atom:summary"/></p>
      <xsl:if test="atom:author">
        <p class="byline">By <xsl:for-each select="atom:author"><xsl:value-of select="atom:name"/><xsl:if test="position() != last()">, </xsl:if></xsl:for-each></p>
      </xsl:if>
    </article>
  </xsl:template>
</xsl:stylesheet>
