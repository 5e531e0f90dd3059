/*
 * bench/gen: fills a database made by `crm init` with realistic companies
 * and contacts for the benchmarks.
 *
 *     build/bench/gen --db PATH --companies N --contacts N [--seed S]
 *
 * Names come in several scripts (Latin with German umlauts and French,
 * Spanish, Polish diacritics; Cyrillic; Japanese kanji; Chinese; Korean),
 * emails are transliterated from them, phones are typed the many ways
 * people type them (+7 (495) 123-45-67, 030 1234567, +81 3-1234-5678),
 * and most contacts work for a company of the same country. The output is
 * the same for the same seed.
 *
 * Every record goes through the core (rec_create), exactly as the API would
 * write it: validation, the search text, the FTS indexes, tags. A few sales
 * managers are added as users so that owners vary. Progress goes to stderr.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"
#include "core/record.h"
#include "core/users.h"
#include "util/timeutil.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define NMANAGERS 8

/* ---- deterministic randomness (splitmix64) ---- */

static uint64_t rng_state;

static uint64_t
rnd64(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* A number in [0, n). */
static unsigned
rn(unsigned n)
{
	return (unsigned)(rnd64() % n);
}

/* True with probability pct percent. */
static bool
chance(unsigned pct)
{
	return rn(100) < pct;
}

/* A number of exactly `digits` digits (no leading zero). */
static unsigned long
rdigits(int digits)
{
	unsigned long lo = 1, hi;

	for (int i = 1; i < digits; i++)
		lo *= 10;
	hi = lo * 10;
	return lo + (unsigned long)(rnd64() % (hi - lo));
}

/* ---- word lists: "native:latin" tokens, '_' for a space ---- */

struct list {
	size_t		 n;
	char		**nat;	/* as written */
	char		**lat;	/* Latin transliteration, NULL: fold nat */
};

static void
list_parse(struct list *l, const char *spec)
{
	char *copy = strdup(spec), *save = NULL, *tok;
	size_t cap = 64;

	if (copy == NULL)
		abort();
	l->n = 0;
	l->nat = calloc(cap, sizeof(char *));
	l->lat = calloc(cap, sizeof(char *));
	for (tok = strtok_r(copy, " \n\t", &save); tok != NULL;
	    tok = strtok_r(NULL, " \n\t", &save)) {
		char *colon = strchr(tok, ':');

		if (l->n == cap) {
			cap *= 2;
			l->nat = realloc(l->nat, cap * sizeof(char *));
			l->lat = realloc(l->lat, cap * sizeof(char *));
		}
		if (l->nat == NULL || l->lat == NULL)
			abort();
		if (colon != NULL)
			*colon = '\0';
		for (char *p = tok; *p; p++)
			if (*p == '_')
				*p = ' ';
		l->nat[l->n] = tok;
		l->lat[l->n] = colon != NULL ? colon + 1 : NULL;
		l->n++;
	}
}

static size_t
pick(const struct list *l)
{
	return rn((unsigned)l->n);
}

/* Russian */
static const char ru_male_spec[] =
    "Александр:aleksandr Алексей:aleksey Андрей:andrey Антон:anton Артём:artem "
    "Борис:boris Вадим:vadim Валентин:valentin Валерий:valeriy Василий:vasiliy "
    "Виктор:viktor Виталий:vitaliy Владимир:vladimir Владислав:vladislav "
    "Вячеслав:vyacheslav Геннадий:gennadiy Георгий:georgiy Григорий:grigoriy "
    "Даниил:daniil Денис:denis Дмитрий:dmitriy Евгений:evgeniy Егор:egor "
    "Иван:ivan Игорь:igor Илья:ilya Кирилл:kirill Константин:konstantin "
    "Леонид:leonid Максим:maksim Марк:mark Матвей:matvey Михаил:mikhail "
    "Никита:nikita Николай:nikolay Олег:oleg Павел:pavel Пётр:petr Роман:roman "
    "Руслан:ruslan Сергей:sergey Станислав:stanislav Степан:stepan "
    "Тимофей:timofey Тимур:timur Фёдор:fedor Юрий:yuriy Ярослав:yaroslav "
    "Аркадий:arkadiy Эдуард:eduard Семён:semen Глеб:gleb Лев:lev Захар:zakhar "
    "Филипп:filipp Богдан:bogdan Ростислав:rostislav Анатолий:anatoliy "
    "Вениамин:veniamin Всеволод:vsevolod";
static const char ru_female_spec[] =
    "Анна:anna Алина:alina Алла:alla Алёна:alena Анастасия:anastasiya "
    "Ангелина:angelina Валентина:valentina Валерия:valeriya Вера:vera "
    "Вероника:veronika Виктория:viktoriya Галина:galina Дарья:darya "
    "Евгения:evgeniya Екатерина:ekaterina Елена:elena Елизавета:elizaveta "
    "Жанна:zhanna Зинаида:zinaida Злата:zlata Инна:inna Ирина:irina Кира:kira "
    "Кристина:kristina Ксения:kseniya Лариса:larisa Людмила:lyudmila "
    "Любовь:lyubov Маргарита:margarita Марина:marina Мария:mariya Милана:milana "
    "Надежда:nadezhda Наталья:natalya Нина:nina Оксана:oksana Ольга:olga "
    "Полина:polina Светлана:svetlana София:sofiya Таисия:taisiya Тамара:tamara "
    "Татьяна:tatyana Ульяна:ulyana Юлия:yuliya Яна:yana Ева:eva Диана:diana "
    "Лидия:lidiya Раиса:raisa Эльвира:elvira Варвара:varvara Василиса:vasilisa "
    "Арина:arina";
/* Patronymics: male form; the female form replaces "ич" with "на". */
static const char ru_patr_spec[] =
    "Александрович Алексеевич Андреевич Борисович Викторович Владимирович "
    "Васильевич Геннадьевич Дмитриевич Евгеньевич Иванович Игоревич "
    "Константинович Михайлович Николаевич Олегович Павлович Петрович "
    "Романович Сергеевич Юрьевич Анатольевич Валерьевич Григорьевич "
    "Фёдорович Леонидович Максимович Станиславович Вячеславович Артёмович "
    "Аркадьевич Эдуардович Степанович Георгиевич Тимурович";
/* Surnames: male form; feminine forms are derived. */
static const char ru_last_spec[] =
    "Иванов:ivanov Смирнов:smirnov Кузнецов:kuznetsov Попов:popov "
    "Васильев:vasilev Петров:petrov Соколов:sokolov Михайлов:mikhaylov "
    "Новиков:novikov Фёдоров:fedorov Морозов:morozov Волков:volkov "
    "Алексеев:alekseev Лебедев:lebedev Семёнов:semenov Егоров:egorov "
    "Павлов:pavlov Козлов:kozlov Степанов:stepanov Николаев:nikolaev "
    "Орлов:orlov Андреев:andreev Макаров:makarov Никитин:nikitin "
    "Захаров:zakharov Зайцев:zaytsev Соловьёв:solovev Борисов:borisov "
    "Яковлев:yakovlev Григорьев:grigorev Романов:romanov Воробьёв:vorobev "
    "Сергеев:sergeev Кузьмин:kuzmin Фролов:frolov Александров:aleksandrov "
    "Дмитриев:dmitriev Королёв:korolev Гусев:gusev Киселёв:kiselev Ильин:ilin "
    "Максимов:maksimov Поляков:polyakov Сорокин:sorokin Виноградов:vinogradov "
    "Ковалёв:kovalev Белов:belov Медведев:medvedev Антонов:antonov "
    "Тарасов:tarasov Жуков:zhukov Баранов:baranov Филиппов:filippov "
    "Комаров:komarov Давыдов:davydov Беляев:belyaev Герасимов:gerasimov "
    "Богданов:bogdanov Осипов:osipov Сидоров:sidorov Матвеев:matveev "
    "Титов:titov Марков:markov Миронов:mironov Крылов:krylov Куликов:kulikov "
    "Карпов:karpov Власов:vlasov Мельников:melnikov Денисов:denisov "
    "Гаврилов:gavrilov Тихонов:tikhonov Казаков:kazakov Афанасьев:afanasev "
    "Данилов:danilov Савельев:savelev Тимофеев:timofeev Фомин:fomin "
    "Чернов:chernov Абрамов:abramov Мартынов:martynov Ефимов:efimov "
    "Федотов:fedotov Щербаков:shcherbakov Назаров:nazarov Калинин:kalinin "
    "Исаев:isaev Чернышёв:chernyshev Быков:bykov Маслов:maslov "
    "Родионов:rodionov Коновалов:konovalov Лазарев:lazarev Воронин:voronin "
    "Климов:klimov Филатов:filatov Пономарёв:ponomarev Голубев:golubev "
    "Кудрявцев:kudryavtsev Прохоров:prokhorov Наумов:naumov Потапов:potapov "
    "Журавлёв:zhuravlev Овчинников:ovchinnikov Трофимов:trofimov "
    "Леонов:leonov Соболев:sobolev Ермаков:ermakov Колесников:kolesnikov "
    "Гончаров:goncharov Емельянов:emelyanov Никифоров:nikiforov "
    "Грачёв:grachev Котов:kotov Гришин:grishin Ефремов:efremov "
    "Архипов:arkhipov Громов:gromov Кириллов:kirillov Малышев:malyshev "
    "Панов:panov Моисеев:moiseev Румянцев:rumyantsev Акимов:akimov "
    "Кондратьев:kondratev Бирюков:biryukov Горбунов:gorbunov "
    "Анисимов:anisimov Ерёмин:eremin Тихомиров:tikhomirov Галкин:galkin "
    "Лукьянов:lukyanov Михеев:mikheev Скворцов:skvortsov Юдин:yudin "
    "Белоусов:belousov Нестеров:nesterov Симонов:simonov Прокофьев:prokofev "
    "Харитонов:kharitonov Князев:knyazev Цветков:tsvetkov Левин:levin "
    "Митрофанов:mitrofanov Воронцов:vorontsov Островский:ostrovskiy "
    "Вишневский:vishnevskiy Ковальский:kovalskiy Шевченко:shevchenko "
    "Бондаренко:bondarenko Ткаченко:tkachenko Кравченко:kravchenko "
    "Черных:chernykh Седых:sedykh";

/* German */
static const char de_male_spec[] =
    "Lukas Jonas Leon Finn Paul Felix Maximilian Tim Jan Niklas Moritz "
    "Julian Philipp Tobias Florian Sebastian Alexander Michael Thomas Andreas "
    "Stefan Christian Markus Daniel Matthias Martin Frank Jürgen Uwe Klaus "
    "Wolfgang Dieter Günter Jörg Björn Sören Dirk Ralf Bernd Helmut Holger "
    "Torsten Kai Lars Nils Ole Fabian Benedikt Konstantin Till Jens Hans-Peter "
    "Karl-Heinz Rüdiger Götz Matthäus";
static const char de_female_spec[] =
    "Anna Lena Laura Julia Sarah Lea Hannah Sophie Marie Katharina Johanna "
    "Clara Charlotte Emma Mia Lisa Sabine Petra Monika Ursula Claudia Susanne "
    "Andrea Birgit Heike Karin Gabriele Renate Angelika Brigitte Jutta Silke "
    "Anke Maren Frauke Jördis Käthe Mareike Franziska Theresa Annegret Dörte "
    "Gesine Ilse Greta Helga Bärbel Anne-Kathrin Löwenherz:loewenherz";
static const char de_last_spec[] =
    "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz "
    "Hoffmann Schäfer Koch Bauer Richter Klein Wolf Schröder Neumann Schwarz "
    "Zimmermann Braun Krüger Hofmann Hartmann Lange Schmitt Werner Schmitz "
    "Krause Meier Lehmann Schmid Schulze Maier Köhler Herrmann König Walter "
    "Mayer Huber Kaiser Fuchs Peters Lang Scholz Möller Weiß Jung Hahn "
    "Schubert Vogel Friedrich Keller Günther Frank Berger Winkler Roth Beck "
    "Lorenz Baumann Franke Albrecht Schuster Simon Ludwig Böhm Winter Kraus "
    "Martin Schumacher Krämer Vogt Stein Jäger Otto Sommer Groß Seidel "
    "Heinrich Brandt Haas Schreiber Graf Schulte Dietrich Ziegler Kuhn Kühn "
    "Pohl Engel Horn Busch Bergmann Thomas Voigt Sauer Arnold Wolff Pfeiffer "
    "Großmann Bäcker Löffler Gärtner Förster Fröhlich Nüßlein Dürr Blümel "
    "Müller-Lüdenscheidt Straßburger Özdemir Yılmaz:yilmaz Nowak Kowalczyk";

/* English */
static const char en_male_spec[] =
    "James John Robert Michael William David Richard Joseph Thomas Charles "
    "Christopher Daniel Matthew Anthony Mark Steven Paul Andrew Joshua Kevin "
    "Brian George Edward Ryan Jacob Gary Nicholas Eric Jonathan Oliver Harry "
    "Jack Noah Liam Ethan Samuel Benjamin Henry Owen Connor Sean Patrick";
static const char en_female_spec[] =
    "Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah "
    "Karen Lisa Nancy Betty Margaret Sandra Ashley Emily Donna Michelle Carol "
    "Amanda Melissa Deborah Stephanie Rebecca Sharon Laura Olivia Amelia Isla "
    "Chloe Grace Sophia Emma Charlotte Abigail Megan Hannah Siobhan Niamh";
static const char en_last_spec[] =
    "Smith Johnson Williams Brown Jones Miller Davis Wilson Anderson Taylor "
    "Thomas Moore Jackson Martin Lee Thompson White Harris Clark Lewis "
    "Robinson Walker Young Allen King Wright Scott Hill Green Adams Baker "
    "Nelson Carter Mitchell Roberts Turner Phillips Campbell Parker Evans "
    "Edwards Collins Stewart Morris Murphy Cook Rogers Morgan Cooper Peterson "
    "Reed Bailey Bell Kelly Howard Ward Cox Richardson Wood Watson Brooks "
    "Bennett Gray Hughes Price Sanders Myers Long Ross Foster O'Brien "
    "O'Connor McDonald MacLeod Fitzgerald Sullivan Walsh Byrne Ryan Murray "
    "Graham Hamilton Patel Khan Singh Nguyen Garcia Rivera Kim";

/* French, Spanish, Polish: Latin with other diacritics */
static const char eu_first_spec[] =
    "François Céline Hélène Jérôme Amélie Benoît Chloé Léa Noël Zoé Gaëlle "
    "Anaïs Stéphane Frédéric Thérèse Cécile Mathéo Loïc José María Ramón "
    "Lucía Sofía Andrés Tomás Inés Ángel Martín Begoña Iñaki Jesús Óscar "
    "Núria Joaquín Łukasz Małgorzata Paweł Agnieszka Krzysztof Wojciech "
    "Grzegorz Zofia Katarzyna Michał Bartłomiej Jędrzej Żaneta";
static const char eu_last_spec[] =
    "Dubois Lefèvre Lefebvre Moreau Laurent Girard Bonnet Dupont Lambert "
    "Fontaine Rousseau Vincent Mercier Légaré Bélanger Côté Gagné Thibault "
    "García Fernández González Rodríguez López Martínez Sánchez Pérez Gómez "
    "Díaz Muñoz Álvarez Jiménez Núñez Ibáñez Peña Castaño Ordóñez "
    "Kowalski Nowak Wiśniewski Wójcik Kamiński Lewandowski Zieliński "
    "Szymański Dąbrowski Kozłowski Mazur Woźniak Król Grabowski Pawłowski";

/* Japanese: mostly two-kanji surnames, given names in kanji (some kana) */
static const char ja_last_spec[] =
    "佐藤:sato 鈴木:suzuki 高橋:takahashi 田中:tanaka 伊藤:ito 渡辺:watanabe "
    "山本:yamamoto 中村:nakamura 小林:kobayashi 加藤:kato 吉田:yoshida "
    "山田:yamada 佐々木:sasaki 山口:yamaguchi 松本:matsumoto 井上:inoue "
    "木村:kimura 林:hayashi 斎藤:saito 清水:shimizu 山崎:yamazaki 森:mori "
    "池田:ikeda 橋本:hashimoto 阿部:abe 石川:ishikawa 山下:yamashita "
    "中島:nakajima 石井:ishii 小川:ogawa 前田:maeda 岡田:okada "
    "長谷川:hasegawa 藤田:fujita 後藤:goto 近藤:kondo 村上:murakami "
    "遠藤:endo 青木:aoki 坂本:sakamoto 斉藤:saito 福田:fukuda 太田:ota "
    "西村:nishimura 藤井:fujii 金子:kaneko 岡本:okamoto 藤原:fujiwara "
    "中野:nakano 三浦:miura 原田:harada 中川:nakagawa 松田:matsuda "
    "竹内:takeuchi 小野:ono 田村:tamura 中山:nakayama 和田:wada 石田:ishida "
    "森田:morita 上田:ueda 原:hara 内田:uchida 柴田:shibata 酒井:sakai "
    "宮崎:miyazaki 横山:yokoyama 高木:takagi 安藤:ando 宮本:miyamoto "
    "大野:ono 小島:kojima 谷口:taniguchi 今井:imai 工藤:kudo 高田:takada "
    "増田:masuda 丸山:maruyama 杉山:sugiyama 村田:murata 大塚:otsuka "
    "新井:arai 小山:koyama 平野:hirano 藤本:fujimoto 河野:kono 上野:ueno "
    "野口:noguchi 武田:takeda 松井:matsui 千葉:chiba 岩崎:iwasaki "
    "菅原:sugawara 木下:kinoshita 久保:kubo 佐野:sano 野村:nomura "
    "松尾:matsuo 市川:ichikawa 菊地:kikuchi 杉本:sugimoto 古川:furukawa "
    "大西:onishi 島田:shimada 水野:mizuno 桜井:sakurai 高野:takano "
    "吉川:yoshikawa 山内:yamauchi 西田:nishida 飯田:iida 服部:hattori";
static const char ja_first_spec[] =
    "翔太:shota 大輔:daisuke 健太:kenta 拓也:takuya 直樹:naoki 達也:tatsuya "
    "和也:kazuya 雄一:yuichi 誠:makoto 浩:hiroshi 隆:takashi 学:manabu "
    "修:osamu 剛:tsuyoshi 大樹:daiki 蓮:ren 湊:minato 陽翔:haruto "
    "悠真:yuma 颯太:sota 健一:kenichi 裕太:yuta 亮:ryo 翼:tsubasa "
    "悠人:yuto 一郎:ichiro 太郎:taro 次郎:jiro 健二:kenji 秀樹:hideki "
    "正人:masato 康弘:yasuhiro 博之:hiroyuki 智也:tomoya 俊介:shunsuke "
    "慎吾:shingo 哲也:tetsuya 光:hikaru 花子:hanako 陽菜:hina 結衣:yui "
    "さくら:sakura 美咲:misaki 葵:aoi 凛:rin 芽衣:mei 愛:ai 真由美:mayumi "
    "恵子:keiko 裕子:yuko 由美:yumi 明美:akemi 直美:naomi 久美子:kumiko "
    "智子:tomoko 洋子:yoko 幸子:sachiko 京子:kyoko 美穂:miho 彩:aya 舞:mai "
    "千尋:chihiro 七海:nanami 優花:yuka 莉子:riko 結菜:yuna 杏:an 紗希:saki "
    "香織:kaori 奈々:nana 理恵:rie 沙織:saori 美香:mika 純子:junko "
    "桃子:momoko 春香:haruka";

/* Chinese (simplified) */
static const char zh_last_spec[] =
    "王:wang 李:li 张:zhang 刘:liu 陈:chen 杨:yang 黄:huang 赵:zhao 吴:wu "
    "周:zhou 徐:xu 孙:sun 马:ma 朱:zhu 胡:hu 郭:guo 何:he 高:gao 林:lin "
    "罗:luo 郑:zheng 梁:liang 谢:xie 宋:song 唐:tang 许:xu 韩:han 冯:feng "
    "邓:deng 曹:cao 彭:peng 曾:zeng 肖:xiao 田:tian 董:dong 袁:yuan "
    "潘:pan 于:yu 蒋:jiang 蔡:cai 欧阳:ouyang 司马:sima";
static const char zh_first_spec[] =
    "伟:wei 芳:fang 娜:na 秀英:xiuying 敏:min 静:jing 丽:li 强:qiang "
    "磊:lei 军:jun 洋:yang 勇:yong 艳:yan 杰:jie 娟:juan 涛:tao 明:ming "
    "超:chao 秀兰:xiulan 霞:xia 平:ping 刚:gang 桂英:guiying 建华:jianhua "
    "志强:zhiqiang 晓明:xiaoming 海燕:haiyan 文博:wenbo 子轩:zixuan "
    "浩然:haoran 欣怡:xinyi 梓涵:zihan 雨萱:yuxuan 俊杰:junjie 嘉怡:jiayi "
    "宇航:yuhang 思远:siyuan 佳琪:jiaqi 一鸣:yiming 婷婷:tingting";

/* Korean */
static const char ko_last_spec[] =
    "김:kim 이:lee 박:park 최:choi 정:jung 강:kang 조:cho 윤:yoon 장:jang "
    "임:lim 한:han 오:oh 서:seo 신:shin 권:kwon 황:hwang 안:ahn 송:song "
    "류:ryu 홍:hong";
static const char ko_first_spec[] =
    "민준:minjun 서준:seojun 도윤:doyoon 예준:yejun 시우:siwoo 하준:hajun "
    "지호:jiho 주원:juwon 지훈:jihoon 현우:hyunwoo 성민:sungmin 영호:youngho "
    "동현:donghyun 준호:junho 재민:jaemin 서연:seoyeon 서윤:seoyun 지우:jiwoo "
    "하은:haeun 민서:minseo 지민:jimin 수빈:subin 예은:yeeun 유진:yujin "
    "지현:jihyun 수진:sujin 은지:eunji 혜진:hyejin 미영:miyoung "
    "영희:younghee 소연:soyeon 다은:daeun 채원:chaewon 나연:nayeon";

/* Company name parts */
static const char ru_word_spec[] =
    "Ромашка:romashka Вектор:vektor Альфа:alfa Север:sever Восток:vostok "
    "Меридиан:meridian Гранит:granit Прогресс:progress Спектр:spektr "
    "Техносфера:tekhnosfera Энергия:energiya Сибирь:sibir Волга:volga "
    "Урал:ural Балтика:baltika Импульс:impuls Кристалл:kristall Феникс:feniks "
    "Горизонт:gorizont Атлант:atlant Орион:orion Сфера:sfera Лидер:lider "
    "Парус:parus Зенит:zenit Магистраль:magistral Исток:istok Кедр:kedr "
    "Берёзка:berezka Полюс:polyus";
static const char ru_branch_spec[] =
    "Строй:stroy Торг:torg Сервис:servis Логистик:logistik Пром:prom "
    "Софт:soft Групп:grupp Трейд:treyd Инвест:invest Холдинг:kholding "
    "Маркет:market Телеком:telekom Медиа:media Фарм:farm Агро:agro "
    "Энерго:energo Авто:avto Металл:metall";
static const char de_branch_spec[] =
    "Maschinenbau Logistik Bau Elektrotechnik Software Consulting Immobilien "
    "Metallbau Druckerei Autohaus Getränkehandel Bäckerei Sanitär "
    "Gebäudetechnik Medizintechnik Kältetechnik Großhandel Spedition "
    "Möbelwerk Gerüstbau";
static const char en_word_spec[] =
    "Acme Summit Pioneer Blue_Ridge Northwind Evergreen Silverline Redwood "
    "Keystone Horizon Atlas Beacon Crescent Liberty Granite Harbor Sterling "
    "Vertex Orbit Cascade Bluebird Ironclad Brightway Oakridge";
static const char en_branch_spec[] =
    "Logistics Software Consulting Foods Energy Analytics Healthcare Partners "
    "Manufacturing Systems Media Capital Labs Supply Engineering Solutions";
static const char ja_branch_spec[] =
    "製作所:seisakusho 商事:shoji 工業:kogyo 建設:kensetsu 物産:bussan "
    "電機:denki 運輸:unyu 不動産:fudosan 食品:shokuhin 化学:kagaku "
    "技研:giken システム:system ソフト:soft 薬品:yakuhin 精工:seiko "
    "産業:sangyo";
static const char zh_word_spec[] =
    "宏达:hongda 新天:xintian 金星:jinxing 长城:changcheng 东方:dongfang "
    "瑞丰:ruifeng 恒通:hengtong 盛世:shengshi 鑫源:xinyuan 华信:huaxin "
    "中科:zhongke 天成:tiancheng";
static const char zh_branch_spec[] =
    "科技:tech 贸易:trade 电子:electronics 实业:industry 物流:logistics "
    "软件:software 建材:materials";
static const char zh_city_spec[] =
    "北京:beijing 上海:shanghai 深圳:shenzhen 广州:guangzhou 杭州:hangzhou "
    "成都:chengdu 南京:nanjing 武汉:wuhan";
static const char ko_word_spec[] =
    "한빛:hanbit 미래:mirae 대한:daehan 새롬:saerom 푸른:pureun "
    "하늘:haneul 동양:dongyang 세종:sejong 누리:nuri 한길:hangil";
static const char ko_branch_spec[] =
    "전자:electronics 건설:construction 물산:trading 테크:tech 소프트:soft "
    "화학:chemical 식품:foods";

static const char *const industries[] = {
	"IT", "Manufacturing", "Retail", "Wholesale", "Construction",
	"Logistics", "Finance", "Healthcare", "Education", "Real estate",
	"Food & beverage", "Energy", "Telecom", "Consulting", "Automotive",
	"Agriculture", "Media", "Pharma",
};
static const char *const sources[] = {
	"web", "referral", "cold call", "exhibition", "partner", "advertising",
	"email campaign", "social", "import", "webinar",
};
static const char *const tags_any[] = {
	"vip", "partner", "newsletter", "key account", "lead", "customer",
	"supplier", "prospect", "b2b", "b2c", "event-2025", "churn risk",
};

enum loc { L_RU, L_DE, L_EN, L_JA, L_ZH, L_KO, L_EU, NLOC };
/* Share of companies (and so of contacts) per locale, in percent. */
static const unsigned loc_weight[NLOC] = { 30, 20, 15, 15, 8, 5, 7 };

static const char *const local_tags[NLOC][3] = {
	{ "постоянный клиент", "дилер", "госзаказчик" },
	{ "Stammkunde", "Händler", "Messe" },
	{ "reseller", "enterprise", "smb" },
	{ "重要顧客", "要フォロー", "代理店" },
	{ "重点客户", "代理商", "展会" },
	{ "주요고객", "대리점", "신규" },
	{ "distribuidor", "client fidèle", "hurtownia" },
};
static const char *const positions[NLOC][8] = {
	{ "Генеральный директор", "Коммерческий директор", "Менеджер по продажам",
	  "Главный бухгалтер", "Руководитель отдела закупок", "Инженер",
	  "Юрист", "Маркетолог" },
	{ "Geschäftsführer", "Vertriebsleiter", "Einkaufsleiterin",
	  "Buchhaltung", "Projektmanager", "Prokurist", "Ingenieur",
	  "Assistenz der Geschäftsführung" },
	{ "CEO", "Sales Manager", "Head of Procurement", "CFO",
	  "Account Manager", "Office Manager", "CTO", "Marketing Director" },
	{ "代表取締役", "営業部長", "課長", "主任", "経理担当", "購買部長",
	  "技術部長", "総務部" },
	{ "总经理", "销售经理", "采购经理", "财务总监", "技术总监", "行政主管",
	  "市场经理", "董事长" },
	{ "대표이사", "영업부장", "과장", "대리", "구매팀장", "기술이사",
	  "마케팅팀장", "사원" },
	{ "Directeur commercial", "Gerente de ventas", "Dyrektor handlowy",
	  "Responsable achats", "Contable", "Ingeniero", "Kierownik projektu",
	  "Assistante de direction" },
};
static const char *const notes[NLOC][3] = {
	{ "Звонить после 15:00, предпочитает общение в Telegram.",
	  "Интересуется оптовыми поставками, просил прислать КП.",
	  "Познакомились на выставке, договорились о встрече в офисе." },
	{ "Bitte nur vormittags anrufen.",
	  "Interessiert an einem Rahmenvertrag für das nächste Jahr.",
	  "Kontakt von der Hannover Messe, Angebot folgt." },
	{ "Prefers email. Follow up after the Q3 budget review.",
	  "Met at the trade show; asked for a demo and a price list.",
	  "Decision maker for the northern region." },
	{ "午前中の連絡を希望。", "見積書を送付済み、来週フォロー予定。",
	  "展示会で名刺交換。" },
	{ "对批发合作感兴趣。", "下周跟进报价。", "在展会上认识。" },
	{ "오전 연락 선호.", "견적서 발송 완료, 다음 주 후속 연락.",
	  "전시회에서 명함 교환." },
	{ "Préfère être contacté par e-mail.",
	  "Interesado en una demostración del producto.",
	  "Prosi o kontakt telefoniczny po południu." },
};

static struct list ru_male, ru_female, ru_patr, ru_last, de_male, de_female,
    de_last, en_male, en_female, en_last, eu_first, eu_last, ja_last,
    ja_first, zh_last, zh_first, ko_last, ko_first, ru_word, ru_branch,
    de_branch, en_word, en_branch, ja_branch, zh_word, zh_branch, zh_city,
    ko_word, ko_branch;

static void
lists_init(void)
{
	static const struct {
		struct list	*l;
		const char	*spec;
	} all[] = {
		{ &ru_male, ru_male_spec }, { &ru_female, ru_female_spec },
		{ &ru_patr, ru_patr_spec }, { &ru_last, ru_last_spec },
		{ &de_male, de_male_spec }, { &de_female, de_female_spec },
		{ &de_last, de_last_spec }, { &en_male, en_male_spec },
		{ &en_female, en_female_spec }, { &en_last, en_last_spec },
		{ &eu_first, eu_first_spec }, { &eu_last, eu_last_spec },
		{ &ja_last, ja_last_spec }, { &ja_first, ja_first_spec },
		{ &zh_last, zh_last_spec }, { &zh_first, zh_first_spec },
		{ &ko_last, ko_last_spec }, { &ko_first, ko_first_spec },
		{ &ru_word, ru_word_spec }, { &ru_branch, ru_branch_spec },
		{ &de_branch, de_branch_spec }, { &en_word, en_word_spec },
		{ &en_branch, en_branch_spec }, { &ja_branch, ja_branch_spec },
		{ &zh_word, zh_word_spec }, { &zh_branch, zh_branch_spec },
		{ &zh_city, zh_city_spec }, { &ko_word, ko_word_spec },
		{ &ko_branch, ko_branch_spec },
	};

	for (size_t i = 0; i < NELEM(all); i++)
		list_parse(all[i].l, all[i].spec);
}

/* ---- text helpers ---- */

/* Latin letters with diacritics, and their ASCII spelling in addresses. */
static const char *const fold_map[][2] = {
	{ "ä", "ae" }, { "ö", "oe" }, { "ü", "ue" }, { "ß", "ss" },
	{ "Ä", "ae" }, { "Ö", "oe" }, { "Ü", "ue" }, { "é", "e" }, { "è", "e" },
	{ "ê", "e" }, { "ë", "e" }, { "É", "e" }, { "à", "a" }, { "â", "a" },
	{ "á", "a" }, { "Á", "a" }, { "Å", "a" }, { "å", "a" }, { "ç", "c" },
	{ "î", "i" }, { "ï", "i" }, { "í", "i" }, { "ô", "o" }, { "ó", "o" },
	{ "Ó", "o" }, { "ú", "u" }, { "û", "u" }, { "ñ", "n" }, { "Ñ", "n" },
	{ "ł", "l" }, { "Ł", "l" }, { "ś", "s" }, { "Ś", "s" }, { "ż", "z" },
	{ "Ż", "z" }, { "ź", "z" }, { "ą", "a" }, { "ę", "e" }, { "ć", "c" },
	{ "ń", "n" }, { "ı", "i" }, { "ğ", "g" }, { "ş", "s" }, { "Ą", "a" },
	{ "Ę", "e" }, { "Ń", "n" }, { "Ç", "c" },
};

/* Lower-case ASCII for an address: folds diacritics, drops the rest. */
static void
fold(const char *in, char *out, size_t outlen)
{
	size_t n = 0;

	while (*in != '\0' && n + 3 < outlen) {
		unsigned char c = (unsigned char)*in;
		bool done = false;

		if (c < 0x80) {
			if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
				out[n++] = (char)c;
			else if (c >= 'A' && c <= 'Z')
				out[n++] = (char)(c - 'A' + 'a');
			else if (c == '-' || c == ' ')
				out[n++] = '-';
			in++;
			continue;
		}
		for (size_t i = 0; i < NELEM(fold_map) && !done; i++) {
			size_t len = strlen(fold_map[i][0]);

			if (strncmp(in, fold_map[i][0], len) == 0) {
				size_t al = strlen(fold_map[i][1]);

				if (n + al + 1 < outlen) {
					memcpy(out + n, fold_map[i][1], al);
					n += al;
				}
				in += len;
				done = true;
			}
		}
		if (!done) {	/* skip one unknown UTF-8 character */
			in++;
			while ((*in & 0xc0) == 0x80)
				in++;
		}
	}
	out[n] = '\0';
}

static void
latin_of(const struct list *l, size_t i, char *out, size_t outlen)
{
	if (l->lat[i] != NULL)
		fold(l->lat[i], out, outlen);
	else
		fold(l->nat[i], out, outlen);
}

static void
ends_replace(char *s, size_t cap, const char *from, const char *to)
{
	size_t n = strlen(s), f = strlen(from);

	if (n >= f && strcmp(s + n - f, from) == 0 && n - f + strlen(to) < cap)
		strcpy(s + n - f, to);
}

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), f = strlen(suffix);

	return n >= f && strcmp(s + n - f, suffix) == 0;
}

/* Appends sep and s to dst (size cap), cutting what does not fit. */
static void
append(char *dst, size_t cap, const char *sep, const char *s)
{
	size_t n = strlen(dst);

	for (const char *p = sep; *p != '\0' && n + 1 < cap; p++)
		dst[n++] = *p;
	for (const char *p = s; *p != '\0' && n + 1 < cap; p++)
		dst[n++] = *p;
	dst[n] = '\0';
}

/* ---- phones, typed the ways people type them ---- */

static void
phone(enum loc loc, bool mobile, char *o, size_t ol)
{
	static const unsigned ru_area[] = { 495, 499, 812, 383, 343, 843, 831,
	    846, 861, 863 };
	static const unsigned ru_mob[] = { 903, 905, 916, 926, 915, 985, 911,
	    921, 950, 999 };
	static const char *const de_area[] = { "30", "40", "89", "221", "69",
	    "711", "211", "341", "911", "351", "511", "421" };
	static const char *const de_mob[] = { "151", "160", "170", "171", "172",
	    "176", "179", "152" };
	static const char *const jp_area[] = { "3", "6", "52", "92", "11", "45",
	    "75" };
	static const unsigned us_area[] = { 212, 415, 312, 617, 206, 512, 305,
	    303, 646, 718 };
	unsigned a, b, c, d, e;
	const char *s;

	switch (loc) {
	case L_RU:
		a = mobile ? ru_mob[rn(NELEM(ru_mob))] : ru_area[rn(NELEM(ru_area))];
		b = 100 + rn(900);
		c = rn(100);
		d = rn(100);
		switch (rn(6)) {
		case 0: snprintf(o, ol, "+7 (%u) %u-%02u-%02u", a, b, c, d); break;
		case 1: snprintf(o, ol, "8 %u %u %02u %02u", a, b, c, d); break;
		case 2: snprintf(o, ol, "+7%u%u%02u%02u", a, b, c, d); break;
		case 3: snprintf(o, ol, "8(%u)%u-%02u-%02u", a, b, c, d); break;
		case 4: snprintf(o, ol, "+7 %u %u-%02u-%02u", a, b, c, d); break;
		default: snprintf(o, ol, "8-%u-%u-%02u-%02u", a, b, c, d); break;
		}
		break;
	case L_DE:
		s = mobile ? de_mob[rn(NELEM(de_mob))] : de_area[rn(NELEM(de_area))];
		b = 100 + rn(900);
		c = 1000 + rn(9000);
		switch (rn(5)) {
		case 0: snprintf(o, ol, "0%s %u%u", s, b, c); break;
		case 1: snprintf(o, ol, "+49 %s %u%u", s, b, c); break;
		case 2: snprintf(o, ol, "+49 (0)%s %u %02u %02u", s, b, c / 100,
		    c % 100); break;
		case 3: snprintf(o, ol, "0%s/%u%u", s, b, c); break;
		default: snprintf(o, ol, "0%s-%u %u", s, b, c); break;
		}
		break;
	case L_JA:
		s = mobile ? (rn(2) ? "90" : "80") : jp_area[rn(NELEM(jp_area))];
		/* area + exchange is 5 digits after the 0, then 4 */
		b = strlen(s) == 1 ? 1000 + rn(9000) : 100 + rn(900);
		if (mobile)
			b = 1000 + rn(9000);
		c = 1000 + rn(9000);
		switch (rn(5)) {
		case 0: snprintf(o, ol, "+81 %s-%u-%u", s, b, c); break;
		case 1: snprintf(o, ol, "0%s-%u-%u", s, b, c); break;
		case 2: snprintf(o, ol, "0%s %u %u", s, b, c); break;
		case 3: snprintf(o, ol, "0%s(%u)%u", s, b, c); break;
		default: snprintf(o, ol, "+81-%s-%u-%u", s, b, c); break;
		}
		break;
	case L_EN:
		if (rn(5) < 3) {	/* United States */
			a = us_area[rn(NELEM(us_area))];
			b = 200 + rn(800);
			c = rn(10000);
			switch (rn(6)) {
			case 0: snprintf(o, ol, "+1 (%u) %u-%04u", a, b, c); break;
			case 1: snprintf(o, ol, "%u-%u-%04u", a, b, c); break;
			case 2: snprintf(o, ol, "(%u) %u-%04u", a, b, c); break;
			case 3: snprintf(o, ol, "+1 %u %u %04u", a, b, c); break;
			case 4: snprintf(o, ol, "%u.%u.%04u", a, b, c); break;
			default: snprintf(o, ol, "+1 %u-%u-%04u x%u", a, b, c,
			    10 + rn(990)); break;
			}
		} else {		/* United Kingdom */
			b = 1000 + rn(9000);
			c = rn(10000);
			switch (mobile ? 4 : rn(4)) {
			case 0: snprintf(o, ol, "+44 20 %u %04u", b, c); break;
			case 1: snprintf(o, ol, "020 %u %04u", b, c); break;
			case 2: snprintf(o, ol, "+44 161 %u %04u", b % 1000, c); break;
			case 3: snprintf(o, ol, "0161 %u %04u", b % 1000, c); break;
			default: snprintf(o, ol, "07%u %06lu", 700 + rn(300),
			    rdigits(6)); break;
			}
		}
		break;
	case L_ZH:
		a = mobile ? 130 + rn(60) : 0;
		b = 1000 + rn(9000);
		c = rn(10000);
		switch (mobile ? 3 + rn(2) : rn(3)) {
		case 0: snprintf(o, ol, "+86 10 %u %04u", b, c); break;
		case 1: snprintf(o, ol, "010-%u%04u", b, c); break;
		case 2: snprintf(o, ol, "021-%u%04u", b, c); break;
		case 3: snprintf(o, ol, "+86 %u %u %04u", a, b, c); break;
		default: snprintf(o, ol, "%u%u%04u", a, b, c); break;
		}
		break;
	case L_KO:
		b = 1000 + rn(9000);
		c = rn(10000);
		switch (mobile ? 2 + rn(2) : rn(2) * 4) {
		case 0: snprintf(o, ol, "+82 2-%u-%04u", b, c); break;
		case 2: snprintf(o, ol, "010-%u-%04u", b, c); break;
		case 3: snprintf(o, ol, "+82 10-%u-%04u", b, c); break;
		default: snprintf(o, ol, "02-%u-%04u", b % 1000, c); break;
		}
		break;
	default:
		b = rn(100);
		c = rn(100);
		d = rn(100);
		e = rn(100);
		switch (rn(4)) {
		case 0: snprintf(o, ol, "+33 %u %02u %02u %02u %02u",
		    mobile ? 6 : 1 + rn(5), b, c, d, e); break;
		case 1: snprintf(o, ol, "0%u %02u %02u %02u %02u",
		    mobile ? 6 : 1 + rn(5), b, c, d, e); break;
		case 2: snprintf(o, ol, "+34 9%u %u %u", 10 + rn(90), 100 + rn(900),
		    100 + rn(900)); break;
		default: snprintf(o, ol, "+48 22 %u %02u %02u", 100 + rn(900), b,
		    c); break;
		}
		break;
	}
}

/* ---- companies ---- */

struct company {
	int64_t	 id;
	char	 domain[64];
	uint8_t	 loc;
};

static const char *const ru_cities[][2] = {
	{ "Москва", "ул. Тверская" }, { "Санкт-Петербург", "Невский проспект" },
	{ "Новосибирск", "Красный проспект" }, { "Екатеринбург", "ул. Ленина" },
	{ "Казань", "ул. Баумана" }, { "Нижний Новгород", "ул. Большая Покровская" },
	{ "Самара", "ул. Садовая" }, { "Краснодар", "ул. Красная" },
	{ "Ростов-на-Дону", "ул. Пушкинская" }, { "Пермь", "ул. Мира" },
};
static const char *const de_cities[][2] = {
	{ "Berlin", "10115" }, { "Hamburg", "20095" }, { "München", "80331" },
	{ "Köln", "50667" }, { "Frankfurt am Main", "60311" },
	{ "Stuttgart", "70173" }, { "Düsseldorf", "40213" },
	{ "Leipzig", "04109" }, { "Nürnberg", "90402" }, { "Dresden", "01067" },
};
static const char *const de_streets[] = {
	"Hauptstraße", "Bahnhofstraße", "Gartenstraße", "Schulstraße",
	"Lindenstraße", "Königsallee", "Friedrichstraße", "Mühlenweg",
	"Am Marktplatz", "Goethestraße", "Schillerstraße", "Große Bleichen",
};
static const char *const ja_cities[] = {
	"東京都千代田区丸の内", "大阪府大阪市北区梅田", "愛知県名古屋市中区栄",
	"福岡県福岡市博多区博多駅前", "北海道札幌市中央区北一条西",
	"神奈川県横浜市西区みなとみらい", "京都府京都市下京区四条通",
};
static const char *const en_cities[] = {
	"New York, NY 10001", "San Francisco, CA 94105", "Chicago, IL 60601",
	"Boston, MA 02110", "Seattle, WA 98101", "London EC1A 1BB",
	"Manchester M1 1AE", "Austin, TX 78701",
};
static const char *const en_streets[] = {
	"Main Street", "Market Street", "Oak Avenue", "High Street",
	"Park Lane", "King's Road", "Broadway", "Elm Street",
};

static void
add_strarray(json_t *rec, const char *key, json_t *arr)
{
	if (json_array_size(arr) > 0)
		json_object_set_new(rec, key, arr);
	else
		json_decref(arr);
}

static json_t *
tags_for(enum loc loc)
{
	json_t *t = json_array();
	unsigned n = rn(10) < 5 ? 0 : 1 + rn(3);

	for (unsigned i = 0; i < n; i++) {
		if (rn(4) == 0)
			json_array_append_new(t, json_string(local_tags[loc][rn(3)]));
		else
			json_array_append_new(t,
			    json_string(tags_any[rn(NELEM(tags_any))]));
	}
	return t;
}

static json_t *
company_json(enum loc loc, struct company *co, int64_t owner)
{
	char name[256], legal[300], tax[32], addr[300], site[128], lat[64],
	    lat2[64], ph[48];
	const char *tld = ".com";
	json_t *rec, *emails, *phones;
	size_t a, b;

	legal[0] = '\0';
	switch (loc) {
	case L_RU:
		a = pick(&ru_word);
		b = pick(&ru_branch);
		switch (rn(4)) {
		case 0:
			snprintf(name, sizeof(name), "%s", ru_word.nat[a]);
			snprintf(legal, sizeof(legal), "ООО «%s»", ru_word.nat[a]);
			snprintf(lat, sizeof(lat), "%s", ru_word.lat[a]);
			break;
		case 1:
			snprintf(name, sizeof(name), "%s%s", ru_word.nat[a],
			    ru_branch.nat[b]);
			snprintf(legal, sizeof(legal), "АО «%s»", name);
			snprintf(lat, sizeof(lat), "%s%s", ru_word.lat[a],
			    ru_branch.lat[b]);
			break;
		case 2:
			a = pick(&ru_last);
			snprintf(name, sizeof(name), "%s и партнёры", ru_last.nat[a]);
			snprintf(legal, sizeof(legal), "ООО «%s и партнёры»",
			    ru_last.nat[a]);
			snprintf(lat, sizeof(lat), "%s-partners", ru_last.lat[a]);
			break;
		default:
			snprintf(name, sizeof(name), "%s %s", ru_word.nat[a],
			    ru_branch.nat[b]);
			snprintf(legal, sizeof(legal), "ООО «%s %s»", ru_word.nat[a],
			    ru_branch.nat[b]);
			snprintf(lat, sizeof(lat), "%s-%s", ru_word.lat[a],
			    ru_branch.lat[b]);
			break;
		}
		tld = rn(5) ? ".ru" : ".com";
		snprintf(tax, sizeof(tax), "%010lu", rdigits(10));
		a = rn(NELEM(ru_cities));
		snprintf(addr, sizeof(addr), "%u%05u, г. %s, %s, д. %u, офис %u",
		    1 + rn(6), rn(100000), ru_cities[a][0], ru_cities[a][1],
		    1 + rn(120), 100 + rn(800));
		break;
	case L_DE:
		a = pick(&de_last);
		b = pick(&de_branch);
		latin_of(&de_last, a, lat, sizeof(lat));
		latin_of(&de_branch, b, lat2, sizeof(lat2));
		switch (rn(4)) {
		case 0:
			snprintf(name, sizeof(name), "%s %s GmbH", de_last.nat[a],
			    de_branch.nat[b]);
			append(lat, sizeof(lat), "-", lat2);
			break;
		case 1: {
			size_t c = pick(&de_last);

			snprintf(name, sizeof(name), "%s & %s KG", de_last.nat[a],
			    de_last.nat[c]);
			latin_of(&de_last, c, lat2, sizeof(lat2));
			append(lat, sizeof(lat), "-", lat2);
			break;
		}
		case 2:
			snprintf(name, sizeof(name), "%s GmbH & Co. KG",
			    de_last.nat[a]);
			break;
		default:
			snprintf(name, sizeof(name), "%s%s AG", de_last.nat[a],
			    de_branch.nat[b]);
			append(lat, sizeof(lat), "", lat2);
			break;
		}
		tld = ".de";
		snprintf(tax, sizeof(tax), "DE%09lu", rdigits(9));
		a = rn(NELEM(de_cities));
		snprintf(addr, sizeof(addr), "%s %u, %s %s",
		    de_streets[rn(NELEM(de_streets))], 1 + rn(200),
		    de_cities[a][1], de_cities[a][0]);
		break;
	case L_EN:
		a = pick(&en_word);
		b = pick(&en_branch);
		latin_of(&en_word, a, lat, sizeof(lat));
		switch (rn(3)) {
		case 0:
			snprintf(name, sizeof(name), "%s %s Ltd", en_word.nat[a],
			    en_branch.nat[b]);
			latin_of(&en_branch, b, lat2, sizeof(lat2));
			append(lat, sizeof(lat), "-", lat2);
			tld = ".co.uk";
			break;
		case 1:
			snprintf(name, sizeof(name), "%s %s Inc.", en_word.nat[a],
			    en_branch.nat[b]);
			break;
		default: {
			size_t c = pick(&en_last), d = pick(&en_last);

			snprintf(name, sizeof(name), "%s & %s LLP", en_last.nat[c],
			    en_last.nat[d]);
			latin_of(&en_last, c, lat, sizeof(lat));
			latin_of(&en_last, d, lat2, sizeof(lat2));
			append(lat, sizeof(lat), "", lat2);
			tld = ".law";
			break;
		}
		}
		snprintf(tax, sizeof(tax), "%02u-%07lu", 10 + rn(89), rdigits(7));
		snprintf(addr, sizeof(addr), "%u %s, %s", 1 + rn(999),
		    en_streets[rn(NELEM(en_streets))],
		    en_cities[rn(NELEM(en_cities))]);
		break;
	case L_JA:
		a = pick(&ja_last);
		b = pick(&ja_branch);
		if (rn(2))
			snprintf(name, sizeof(name), "株式会社%s%s", ja_last.nat[a],
			    ja_branch.nat[b]);
		else
			snprintf(name, sizeof(name), "%s%s株式会社", ja_last.nat[a],
			    ja_branch.nat[b]);
		snprintf(lat, sizeof(lat), "%s-%s", ja_last.lat[a],
		    ja_branch.lat[b]);
		tld = ".co.jp";
		snprintf(tax, sizeof(tax), "%013lu", rdigits(13));
		snprintf(addr, sizeof(addr), "〒%03u-%04u %s%u-%u-%u",
		    100 + rn(900), rn(10000), ja_cities[rn(NELEM(ja_cities))],
		    1 + rn(9), 1 + rn(20), 1 + rn(30));
		break;
	case L_ZH:
		a = pick(&zh_word);
		b = pick(&zh_branch);
		{
			size_t c = pick(&zh_city);

			snprintf(name, sizeof(name), "%s%s%s有限公司",
			    zh_city.nat[c], zh_word.nat[a], zh_branch.nat[b]);
			snprintf(addr, sizeof(addr), "%s市%s区%s路%u号",
			    zh_city.nat[c], rn(2) ? "朝阳" : "海淀",
			    rn(2) ? "建国" : "中山", 1 + rn(300));
		}
		snprintf(lat, sizeof(lat), "%s-%s", zh_word.lat[a],
		    zh_branch.lat[b]);
		tld = ".cn";
		snprintf(tax, sizeof(tax), "91%016lu", rdigits(16));
		break;
	case L_KO:
		a = pick(&ko_word);
		b = pick(&ko_branch);
		if (rn(2))
			snprintf(name, sizeof(name), "주식회사 %s%s", ko_word.nat[a],
			    ko_branch.nat[b]);
		else
			snprintf(name, sizeof(name), "(주)%s%s", ko_word.nat[a],
			    ko_branch.nat[b]);
		snprintf(lat, sizeof(lat), "%s-%s", ko_word.lat[a],
		    ko_branch.lat[b]);
		tld = ".co.kr";
		snprintf(tax, sizeof(tax), "%03u-%02u-%05u", 100 + rn(900),
		    10 + rn(90), rn(100000));
		snprintf(addr, sizeof(addr), "서울특별시 %s %s %u",
		    rn(2) ? "강남구" : "중구", rn(2) ? "테헤란로" : "세종대로",
		    1 + rn(500));
		break;
	default:
		a = pick(&eu_last);
		latin_of(&eu_last, a, lat, sizeof(lat));
		switch (rn(3)) {
		case 0:
			snprintf(name, sizeof(name), "%s et Fils SARL", eu_last.nat[a]);
			tld = ".fr";
			snprintf(addr, sizeof(addr), "%u rue de la République, "
			    "69002 Lyon", 1 + rn(150));
			break;
		case 1:
			snprintf(name, sizeof(name), "%s y Asociados S.L.",
			    eu_last.nat[a]);
			tld = ".es";
			snprintf(addr, sizeof(addr), "Calle de Alcalá %u, 28014 Madrid",
			    1 + rn(300));
			break;
		default:
			snprintf(name, sizeof(name), "%s Sp. z o.o.", eu_last.nat[a]);
			tld = ".pl";
			snprintf(addr, sizeof(addr), "ul. Marszałkowska %u, "
			    "00-024 Warszawa", 1 + rn(150));
			break;
		}
		snprintf(tax, sizeof(tax), "%010lu", rdigits(10));
		break;
	}
	/* Several companies share a name; the domain tells them apart. */
	snprintf(co->domain, sizeof(co->domain), "%.40s%s%s", lat,
	    rn(3) == 0 ? "-group" : "", tld);
	co->loc = (uint8_t)loc;

	rec = json_pack("{s:s, s:s, s:s, s:s, s:I}", "name", name,
	    "tax_id", tax, "industry", industries[rn(NELEM(industries))],
	    "source", sources[rn(NELEM(sources))], "owner_id", (json_int_t)owner);
	if (legal[0] != '\0' && chance(70))
		json_object_set_new(rec, "legal_name", json_string(legal));
	if (chance(75)) {
		snprintf(site, sizeof(site), "https://www.%s", co->domain);
		json_object_set_new(rec, "website", json_string(site));
	}
	if (chance(80))
		json_object_set_new(rec, "address", json_string(addr));
	emails = json_array();
	if (chance(85)) {
		char em[128];

		snprintf(em, sizeof(em), "%s@%s",
		    rn(3) == 0 ? "sales" : rn(2) ? "info" : "office", co->domain);
		json_array_append_new(emails, json_string(em));
	}
	add_strarray(rec, "emails", emails);
	phones = json_array();
	for (unsigned i = 0, n = 1 + (chance(30) ? 1 : 0); i < n; i++) {
		phone(loc, false, ph, sizeof(ph));
		json_array_append_new(phones, json_string(ph));
	}
	add_strarray(rec, "phones", phones);
	add_strarray(rec, "tags", tags_for(loc));
	if (chance(5))
		json_object_set_new(rec, "notes",
		    json_string(notes[loc][rn(3)]));
	return rec;
}

/* ---- contacts ---- */

struct person {
	char	first[128];
	char	last[128];
	char	middle[128];
	char	lfirst[64];	/* Latin, for the email address */
	char	llast[64];
};

static void
person(enum loc loc, struct person *p)
{
	bool female = rn(2);
	size_t a, b;

	p->middle[0] = '\0';
	switch (loc) {
	case L_RU: {
		const struct list *fl = female ? &ru_female : &ru_male;

		a = pick(fl);
		b = pick(&ru_last);
		snprintf(p->first, sizeof(p->first), "%s", fl->nat[a]);
		snprintf(p->lfirst, sizeof(p->lfirst), "%s", fl->lat[a]);
		snprintf(p->last, sizeof(p->last), "%s", ru_last.nat[b]);
		snprintf(p->llast, sizeof(p->llast), "%s", ru_last.lat[b]);
		if (female) {
			if (ends_with(p->last, "ий")) {
				ends_replace(p->last, sizeof(p->last), "ий", "ая");
				ends_replace(p->llast, sizeof(p->llast), "iy", "aya");
			} else if (ends_with(p->last, "ов") || ends_with(p->last, "ев") ||
			    ends_with(p->last, "ёв") || ends_with(p->last, "ин") ||
			    ends_with(p->last, "ын")) {
				append(p->last, sizeof(p->last), "", "а");
				append(p->llast, sizeof(p->llast), "", "a");
			}
		}
		if (chance(85)) {
			snprintf(p->middle, sizeof(p->middle), "%s",
			    ru_patr.nat[pick(&ru_patr)]);
			if (female)
				ends_replace(p->middle, sizeof(p->middle), "ич", "на");
		}
		break;
	}
	case L_DE:
	case L_EN: {
		const struct list *fl = loc == L_DE ? (female ? &de_female : &de_male) :
		    (female ? &en_female : &en_male);
		const struct list *ll = loc == L_DE ? &de_last : &en_last;

		a = pick(fl);
		b = pick(ll);
		snprintf(p->first, sizeof(p->first), "%s", fl->nat[a]);
		latin_of(fl, a, p->lfirst, sizeof(p->lfirst));
		snprintf(p->last, sizeof(p->last), "%s", ll->nat[b]);
		latin_of(ll, b, p->llast, sizeof(p->llast));
		if (loc == L_EN && chance(10)) {
			size_t m = pick(&en_male);

			snprintf(p->middle, sizeof(p->middle), "%.1s.", en_male.nat[m]);
		}
		break;
	}
	case L_JA:
	case L_ZH:
	case L_KO: {
		const struct list *fl = loc == L_JA ? &ja_first : loc == L_ZH ?
		    &zh_first : &ko_first;
		const struct list *ll = loc == L_JA ? &ja_last : loc == L_ZH ?
		    &zh_last : &ko_last;

		a = pick(fl);
		b = pick(ll);
		snprintf(p->first, sizeof(p->first), "%s", fl->nat[a]);
		snprintf(p->lfirst, sizeof(p->lfirst), "%s", fl->lat[a]);
		snprintf(p->last, sizeof(p->last), "%s", ll->nat[b]);
		snprintf(p->llast, sizeof(p->llast), "%s", ll->lat[b]);
		break;
	}
	default:
		a = pick(&eu_first);
		b = pick(&eu_last);
		snprintf(p->first, sizeof(p->first), "%s", eu_first.nat[a]);
		latin_of(&eu_first, a, p->lfirst, sizeof(p->lfirst));
		snprintf(p->last, sizeof(p->last), "%s", eu_last.nat[b]);
		latin_of(&eu_last, b, p->llast, sizeof(p->llast));
		break;
	}
}

static const char *const free_mail[NLOC][3] = {
	{ "mail.ru", "yandex.ru", "gmail.com" },
	{ "gmx.de", "web.de", "t-online.de" },
	{ "gmail.com", "outlook.com", "yahoo.com" },
	{ "yahoo.co.jp", "gmail.com", "docomo.ne.jp" },
	{ "qq.com", "163.com", "126.com" },
	{ "naver.com", "daum.net", "gmail.com" },
	{ "orange.fr", "gmail.com", "wp.pl" },
};

static void
email(const struct person *p, const char *domain, bool personal, char *o,
    size_t ol)
{
	switch (rn(personal ? 6 : 4)) {
	case 0: snprintf(o, ol, "%s.%s@%s", p->lfirst, p->llast, domain); break;
	case 1: snprintf(o, ol, "%.1s.%s@%s", p->lfirst, p->llast, domain); break;
	case 2: snprintf(o, ol, "%s@%s", p->llast, domain); break;
	case 3: snprintf(o, ol, "%s_%s@%s", p->lfirst, p->llast, domain); break;
	case 4: snprintf(o, ol, "%s%s%u@%s", p->lfirst, p->llast, rn(100),
	    domain); break;
	default: snprintf(o, ol, "%s.%s%u@%s", p->llast, p->lfirst,
	    1960 + rn(45), domain); break;
	}
}

static json_t *
contact_json(enum loc loc, const struct company *co, int64_t owner)
{
	struct person p;
	json_t *rec, *emails, *phones;
	char em[200], ph[48];
	unsigned n;

	person(loc, &p);
	rec = json_pack("{s:s, s:s, s:s, s:I}", "first_name", p.first,
	    "last_name", p.last, "source", sources[rn(NELEM(sources))],
	    "owner_id", (json_int_t)owner);
	if (p.middle[0] != '\0')
		json_object_set_new(rec, "middle_name", json_string(p.middle));
	if (co != NULL) {
		json_object_set_new(rec, "company_id", json_integer(co->id));
		if (chance(80))
			json_object_set_new(rec, "position",
			    json_string(positions[loc][rn(8)]));
	}
	emails = json_array();
	n = chance(10) ? 0 : chance(15) ? 2 : 1;
	for (unsigned i = 0; i < n; i++) {
		bool personal = co == NULL || i == 1;

		email(&p, personal ? free_mail[loc][rn(3)] : co->domain, personal,
		    em, sizeof(em));
		json_array_append_new(emails, json_string(em));
	}
	add_strarray(rec, "emails", emails);
	phones = json_array();
	n = chance(10) ? 0 : chance(28) ? 2 : 1;
	for (unsigned i = 0; i < n; i++) {
		phone(loc, i == 1 || co == NULL || chance(30), ph, sizeof(ph));
		json_array_append_new(phones, json_string(ph));
	}
	add_strarray(rec, "phones", phones);
	if (chance(35)) {
		char bd[16];

		snprintf(bd, sizeof(bd), "%04u-%02u-%02u", 1950 + rn(54), 1 + rn(12),
		    1 + rn(28));
		json_object_set_new(rec, "birthday", json_string(bd));
	}
	add_strarray(rec, "tags", tags_for(loc));
	if (chance(8))
		json_object_set_new(rec, "notes", json_string(notes[loc][rn(3)]));
	return rec;
}

static enum loc
pick_loc(void)
{
	unsigned r = rn(100), acc = 0;

	for (int i = 0; i < NLOC; i++) {
		acc += loc_weight[i];
		if (r < acc)
			return (enum loc)i;
	}
	return L_EN;
}

/* ---- progress ---- */

struct progress {
	const char	*what;
	long		 total;
	int64_t		 start_us;
	int64_t		 last_us;
	bool		 tty;
};

static void
progress_show(struct progress *pg, long done, bool final)
{
	int64_t now = time_mono_us();
	double el = (double)(now - pg->start_us) / 1e6, rate, eta;
	char bar[31];
	int fill;

	if (!final && now - pg->last_us < (pg->tty ? 200000 : 5000000))
		return;
	pg->last_us = now;
	rate = el > 0 ? (double)done / el : 0;
	eta = rate > 0 ? (double)(pg->total - done) / rate : 0;
	fill = pg->total > 0 ? (int)(30 * done / pg->total) : 30;
	for (int i = 0; i < 30; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[30] = '\0';
	fprintf(stderr, "%sgen: %-9s [%s] %5.1f%% %ld/%ld  %.0f/s  %s %.0fs%s",
	    pg->tty ? "\r" : "", pg->what, bar,
	    pg->total > 0 ? 100.0 * (double)done / (double)pg->total : 100.0,
	    done, pg->total, rate, final ? "took" : "eta", final ? el : eta,
	    final || !pg->tty ? "\n" : "");
}

/* ---- main ---- */

static void
usage(void)
{
	fprintf(stderr, "usage: gen --db PATH --companies N --contacts N "
	    "[--seed S]\n\nFills a database made by `crm init` with realistic "
	    "companies and contacts\nthrough the core, as the API would. "
	    "Deterministic for a given seed.\n");
}

static int
fail_rec(struct core_ctx *cx, const char *what, json_t *rec)
{
	char *s = json_dumps(rec, JSON_COMPACT);

	fprintf(stderr, "\ngen: creating a %s failed: %s\n", what, cx->detail);
	for (int i = 0; i < cx->errs.n; i++)
		fprintf(stderr, "  %s: %s\n", cx->errs.items[i].field,
		    cx->errs.items[i].message);
	fprintf(stderr, "  record: %s\n", s ? s : "?");
	free(s);
	json_decref(rec);
	return 1;
}

/* Sales managers who own the records, added once. */
static int
managers(struct core_ctx *cx, int64_t *ids, int *n)
{
	static const char *const names[NMANAGERS] = {
		"Анна Смирнова", "Jörg Schäfer", "田中 美咲", "Emily Clark",
		"Дмитрий Орлов", "Léa Dubois", "김 지현", "Oliver Bennett",
	};
	unsigned char raw[24];
	char pw[64], mail[64];

	for (int i = 0; i < NMANAGERS; i++) {
		struct actor a;
		bool active;
		int64_t id;
		int rc;

		snprintf(mail, sizeof(mail), "manager%d@bench.example", i + 1);
		if (user_find(cx, mail, &a, &active) == CRM_OK) {
			ids[(*n)++] = a.user_id;
			continue;
		}
		randombytes_buf(raw, sizeof(raw));
		sodium_bin2hex(pw, sizeof(pw), raw, sizeof(raw));
		cx->errs.n = 0;
		rc = user_add(cx, mail, names[i], pw, false, &id);
		if (rc != CRM_OK) {
			fprintf(stderr, "gen: adding user %s: %s\n", mail, cx->detail);
			return 1;
		}
		ids[(*n)++] = id;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	const char *path = NULL;
	long ncomp = -1, ncont = -1;
	unsigned long long seed = 20251126;
	struct company *cos;
	struct core_ctx cx;
	struct actor admin;
	struct progress pg;
	int64_t owners[NMANAGERS + 1];
	int nowners = 0;
	char err[512];
	json_t *users, *u;
	size_t i;
	db_t *db;

	for (int k = 1; k < argc; k++) {
		const char *v = k + 1 < argc ? argv[k + 1] : NULL;

		if (strcmp(argv[k], "--help") == 0 || strcmp(argv[k], "-h") == 0) {
			usage();
			return 0;
		}
		if (v == NULL) {
			usage();
			return 2;
		}
		if (strcmp(argv[k], "--db") == 0)
			path = v;
		else if (strcmp(argv[k], "--companies") == 0)
			ncomp = strtol(v, NULL, 10);
		else if (strcmp(argv[k], "--contacts") == 0)
			ncont = strtol(v, NULL, 10);
		else if (strcmp(argv[k], "--seed") == 0)
			seed = strtoull(v, NULL, 10);
		else {
			usage();
			return 2;
		}
		k++;
	}
	if (path == NULL || ncomp < 0 || ncont < 0 || (ncomp == 0 && ncont > 0)) {
		usage();
		return 2;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, "gen: libsodium failed to initialise\n");
		return 1;
	}
	if (access(path, F_OK) != 0) {
		fprintf(stderr, "gen: no database at %s; create it with crm init\n",
		    path);
		return 1;
	}
	rng_state = seed;
	lists_init();
	if (core_open_db(path, &db, err, sizeof(err)) != CRM_OK) {
		fprintf(stderr, "gen: %s\n", err);
		return 1;
	}

	/*
	 * A bulk load on this connection only: no fsync at checkpoints and a
	 * cache that holds the growing search indexes. The data written is
	 * the same; a crash midway would just mean generating again.
	 */
	if (db_exec(db, "PRAGMA synchronous=OFF; PRAGMA cache_size=-262144;") !=
	    DB_OK) {
		fprintf(stderr, "gen: %s\n", db_errmsg(db));
		return 1;
	}

	/* The first administrator acts; managers and admin own records. */
	core_ctx_init(&cx, db, NULL);
	memset(&admin, 0, sizeof(admin));
	if (user_list(&cx, &users) != CRM_OK) {
		fprintf(stderr, "gen: listing users: %s\n", cx.detail);
		return 1;
	}
	json_array_foreach(json_object_get(users, "data"), i, u) {
		if (json_is_true(json_object_get(u, "is_admin")) &&
		    json_is_true(json_object_get(u, "active"))) {
			admin.user_id = json_integer_value(json_object_get(u, "id"));
			admin.is_admin = true;
			snprintf(admin.email, sizeof(admin.email), "%s",
			    json_string_value(json_object_get(u, "email")));
			snprintf(admin.name, sizeof(admin.name), "%s",
			    json_string_value(json_object_get(u, "name")));
			break;
		}
	}
	json_decref(users);
	if (admin.user_id == 0) {
		fprintf(stderr, "gen: %s has no active administrator; run crm "
		    "init first\n", path);
		return 1;
	}
	core_ctx_init(&cx, db, &admin);
	owners[nowners++] = admin.user_id;
	if (managers(&cx, owners, &nowners) != 0)
		return 1;

	cos = calloc((size_t)(ncomp > 0 ? ncomp : 1), sizeof(*cos));
	if (cos == NULL)
		return 1;
	pg = (struct progress){ "companies", ncomp, time_mono_us(), 0,
	    isatty(2) != 0 };
	for (long k = 0; k < ncomp; k++) {
		json_t *rec = company_json(pick_loc(), &cos[k],
		    owners[rn((unsigned)nowners)]), *out;

		core_ctx_init(&cx, db, &admin);
		if (rec_create(&cx, &entity_companies, rec, &out) != CRM_OK)
			return fail_rec(&cx, "company", rec);
		cos[k].id = json_integer_value(json_object_get(out, "id"));
		json_decref(out);
		json_decref(rec);
		progress_show(&pg, k + 1, false);
	}
	progress_show(&pg, ncomp, true);

	pg = (struct progress){ "contacts", ncont, time_mono_us(), 0,
	    isatty(2) != 0 };
	for (long k = 0; k < ncont; k++) {
		/* 85% work for a company, of its country; the rest are private. */
		const struct company *co = chance(85) ?
		    &cos[rn((unsigned)ncomp)] : NULL;
		enum loc loc = co != NULL && chance(92) ? (enum loc)co->loc :
		    pick_loc();
		json_t *rec = contact_json(loc, co, co != NULL && chance(90) ?
		    owners[co->id % nowners] : owners[rn((unsigned)nowners)]), *out;

		core_ctx_init(&cx, db, &admin);
		if (rec_create(&cx, &entity_contacts, rec, &out) != CRM_OK)
			return fail_rec(&cx, "contact", rec);
		json_decref(out);
		json_decref(rec);
		progress_show(&pg, k + 1, false);
	}
	progress_show(&pg, ncont, true);
	free(cos);
	db_close(db);
	return 0;
}
